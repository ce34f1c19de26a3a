using System.Net;
using System.Text;
using ExternalAction.TestSupport;

namespace ExternalAction.Api.Tests.Platform;

/// <summary>
/// Every platform endpoint finds its action the same way: a known name under <c>/actions/{name}/</c> or the only
/// action at the root paths; an unknown name is a 404 in the contract's error shape on every endpoint, whatever the
/// endpoint's own parameters (issue 9 item 4).
/// </summary>
public sealed class ActionResolutionTests
{
    private static readonly string[] Endpoints =
    [
        "POST submitAsyncAction", "GET getServiceDefinition", "GET status", "GET openapi.json", "GET openapi.yaml",
    ];

    private static HttpRequestMessage Request(string endpoint, string prefix)
    {
        var (method, path) = (endpoint.Split(' ')[0], endpoint.Split(' ')[1]);
        var request = new HttpRequestMessage(new HttpMethod(method), $"{prefix}/{path}");
        if (method == "POST")
            request.Content = new StringContent(SampleRequests.Lead().ToJsonString(), Encoding.UTF8, "application/json");
        return request;
    }

    [TestCaseSource(nameof(Endpoints))]
    public async Task An_unknown_action_is_a_404_in_the_error_shape_on_every_platform_endpoint(string endpoint)
    {
        using var factory = new ApiFactory();
        using var client = factory.CreateAuthenticatedClient();
        using var request = Request(endpoint, "/actions/no-such-action");
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), body);
        Assert.That(await AdobeSchemas.ValidateAsync("Error", body), Is.Empty, body);
        Assert.That(body, Does.Contain("No action of that name."));
    }
}
