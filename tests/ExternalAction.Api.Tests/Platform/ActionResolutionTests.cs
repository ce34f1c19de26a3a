using System.Net;
using System.Text;
using ExternalAction.Actions;
using ExternalAction.Api.Platform;
using ExternalAction.TestSupport;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ExternalAction.Api.Tests.Platform;

/// <summary>
/// Every platform endpoint finds its action the same way, once per request: a known name under
/// <c>/actions/{name}/</c> or the only action at the root paths; an unknown name is a 404 in the contract's error
/// shape on every endpoint, whatever the endpoint's own parameters (issue 9 item 4).
/// </summary>
public sealed class ActionResolutionTests
{
    private static readonly string[] Endpoints =
    [
        "POST submitAsyncAction", "GET getServiceDefinition", "GET status", "GET openapi.json", "GET openapi.yaml",
    ];

    /// <summary>Calls <paramref name="endpoint"/> ("METHOD path") under <paramref name="prefix"/>, a valid lead as the body of a POST.</summary>
    private static async Task<(HttpStatusCode Status, string Body)> CallAsync(HttpClient client, string endpoint, string prefix)
    {
        var (method, path) = (endpoint.Split(' ')[0], endpoint.Split(' ')[1]);
        using var request = new HttpRequestMessage(new HttpMethod(method), $"{prefix}/{path}");
        if (method == "POST")
            request.Content = new StringContent(SampleRequests.Lead().ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [TestCaseSource(nameof(Endpoints))]
    public async Task An_unknown_action_is_a_404_in_the_error_shape_on_every_platform_endpoint(string endpoint)
    {
        using var factory = new ApiFactory();
        using var client = factory.CreateAuthenticatedClient();
        var (status, body) = await CallAsync(client, endpoint, "/actions/no-such-action");
        Assert.That(status, Is.EqualTo(HttpStatusCode.NotFound), body);
        Assert.That(await AdobeSchemas.ValidateAsync("Error", body), Is.Empty, body);
        Assert.That(body, Does.Contain("No action of that name."));
    }

    [TestCaseSource(nameof(Endpoints))]
    public async Task An_unauthenticated_call_for_an_unknown_action_still_gets_the_answer_of_its_endpoint(string endpoint)
    {
        // Authentication runs first: protected endpoints answer 401 without telling whether the action exists.
        using var factory = new ApiFactory();
        using var client = factory.CreateClient();
        var (status, body) = await CallAsync(client, endpoint, "/actions/no-such-action");
        var expected = endpoint is "POST submitAsyncAction" or "GET status" ? HttpStatusCode.Unauthorized : HttpStatusCode.NotFound;
        Assert.That(status, Is.EqualTo(expected), body);
    }

    [TestCaseSource(nameof(Endpoints))]
    public async Task A_one_action_deployment_serves_every_platform_endpoint_at_the_root_and_under_its_name(string endpoint)
    {
        using var factory = new ApiFactory(new Dictionary<string, string?> { ["ExternalAction:Actions:File"] = Path.Combine(Fixtures.Root, "actions", "single-action.json") });
        using var client = factory.CreateAuthenticatedClient();
        var name = ActionFileLoader.Load(Path.Combine(Fixtures.Root, "actions", "single-action.json")).Single!.Name;
        foreach (var prefix in new[] { "", $"/actions/{name}" })
        {
            var (status, body) = await CallAsync(client, endpoint, prefix);
            Assert.That((int)status, Is.Not.EqualTo(404).And.LessThan(500), $"{prefix}: {body}");
        }
    }

    [TestCaseSource(nameof(Endpoints))]
    public async Task An_action_without_a_B2B_face_is_a_404_on_every_B2B_endpoint_under_its_name_and_at_the_root(string endpoint)
    {
        var file = Path.Combine(Path.GetTempPath(), $"no-b2b-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, """{ "actions": [ { "name": "other-face-only", "ajo": { "request": { "profileId": { "toBeMapped": true, "dataType": "string", "label": "profileId" } } }, "channel": { "type": "none" } } ] }""");
        try
        {
            using var factory = new ApiFactory(new Dictionary<string, string?> { ["ExternalAction:Actions:File"] = file });
            using var client = factory.CreateAuthenticatedClient();
            foreach (var prefix in new[] { "", "/actions/other-face-only" })
            {
                var (status, body) = await CallAsync(client, endpoint, prefix);
                Assert.That(status, Is.EqualTo(HttpStatusCode.NotFound), $"{prefix}: {body}");
                Assert.That(await AdobeSchemas.ValidateAsync("Error", body), Is.Empty, body);
                Assert.That(body, Does.Contain("no AJO B2B face"));
            }
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Test]
    public void The_action_is_looked_up_once_per_request_and_kept_null_included()
    {
        using var services = new ServiceCollection()
            .AddSingleton(ActionFileLoader.Load(Path.Combine(Fixtures.Root, "actions", "intake-actions.json")))
            .BuildServiceProvider();
        var known = new DefaultHttpContext { RequestServices = services };
        known.Request.RouteValues[ResolvedAction.RouteValue] = "lead-scoring";
        var first = ResolvedAction.Of(known);
        known.Request.RouteValues[ResolvedAction.RouteValue] = "account-enrichment";
        Assert.That(first, Is.Not.Null);
        Assert.That(first!.AtRoot, Is.False);
        Assert.That(ResolvedAction.Of(known), Is.SameAs(first));

        var unknown = new DefaultHttpContext { RequestServices = services };
        unknown.Request.RouteValues[ResolvedAction.RouteValue] = "no-such-action";
        Assert.That(ResolvedAction.Of(unknown), Is.Null);
        unknown.Request.RouteValues[ResolvedAction.RouteValue] = "lead-scoring";
        Assert.That(ResolvedAction.Of(unknown), Is.Null, "a second look would have found lead-scoring");
    }
}
