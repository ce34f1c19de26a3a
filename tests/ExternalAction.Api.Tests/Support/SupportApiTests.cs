using System.Net;
using System.Text;
using System.Text.Json;
using ExternalAction.Store;
using ExternalAction.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace ExternalAction.Api.Tests.Support;

/// <summary>Support queries behind their own key, over a real SQLite status table.</summary>
[TestFixture]
public sealed class SupportApiTests
{
    private ApiFactory _factory = null!;
    private HttpClient _client = null!;
    private StatusStore _store = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _factory = new ApiFactory();
        _client = _factory.CreateClient();
        _store = _factory.Services.GetRequiredService<StatusStore>();
        var t0 = new DateTimeOffset(2026, 11, 1, 9, 0, 0, TimeSpan.Zero);
        var rows = Enumerable.Range(0, 5).Select(i => new NewRequest
        {
            RequestId = $"req-support-{i}", ActionName = "lead-scoring", ActionVersion = "1", EntityType = "lead",
            LeadId = (1000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture), JourneyId = i < 2 ? "j-a" : "j-b",
            ReceivedAt = t0.AddMinutes(i), DeadlineAt = t0.AddHours(1),
        }).ToList();
        await _store.InsertReceivedAsync(rows, default);
        await _store.ClaimAsync(rows[0], "owner", t0, TimeSpan.FromMinutes(1), default);
        await _store.UpdateAsync("req-support-0", new StatusUpdate { Status = RequestStatuses.CallbackSent, Detail = "called back", CallbackStatusCode = 200 }, "owner", default);
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _client.Dispose();
        _factory.Dispose();
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> Get(string path, string? key = ApiFactory.SupportKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (key is not null)
            request.Headers.Add("X-Support-Key", key);
        using var response = await _client.SendAsync(request);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    [Test]
    public async Task One_request_comes_with_its_history()
    {
        var (status, body) = await Get("/support/requests/req-support-0");
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(body.GetProperty("request").GetProperty("status").GetString(), Is.EqualTo("CallbackSent"));
        Assert.That(body.GetProperty("transitions").EnumerateArray().Select(t => t.GetProperty("toStatus").GetString()),
            Is.EqualTo(new[] { "Received", "Processing", "CallbackSent" }));
    }

    [Test]
    public async Task An_unknown_request_is_a_404() =>
        Assert.That((await Get("/support/requests/req-nope")).Status, Is.EqualTo(HttpStatusCode.NotFound));

    [TestCase(null)]
    [TestCase("wrong-key")]
    [TestCase(ApiFactory.ApiKey)]
    public async Task Support_needs_its_own_key(string? key) =>
        Assert.That((await Get("/support/requests/req-support-0", key)).Status, Is.EqualTo(HttpStatusCode.Unauthorized));

    [Test]
    public async Task Lists_filter_and_page()
    {
        var (_, byJourney) = await Get("/support/requests?journeyId=j-a");
        Assert.That(byJourney.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("requestId").GetString()),
            Is.EqualTo(new[] { "req-support-1", "req-support-0" }));
        var (_, byEntity) = await Get("/support/requests?entityId=1003");
        Assert.That(byEntity.GetProperty("items").GetArrayLength(), Is.EqualTo(1));
        var (_, firstPage) = await Get("/support/requests?action=lead-scoring&pageSize=2&from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z");
        Assert.That(firstPage.GetProperty("items").GetArrayLength(), Is.EqualTo(2));
        var cursor = firstPage.GetProperty("nextCursor").GetString();
        var (_, secondPage) = await Get($"/support/requests?action=lead-scoring&pageSize=2&from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z&cursor={Uri.EscapeDataString(cursor!)}");
        Assert.That(secondPage.GetProperty("items")[0].GetProperty("requestId").GetString(), Is.EqualTo("req-support-2"));
    }

    [Test]
    public async Task Counts_are_by_status()
    {
        var (_, body) = await Get("/support/counts?action=lead-scoring");
        var counts = body.GetProperty("counts").EnumerateArray().ToDictionary(c => c.GetProperty("status").GetString()!, c => c.GetProperty("count").GetInt64());
        Assert.That(counts["CallbackSent"], Is.GreaterThanOrEqualTo(1));
        Assert.That(counts["Received"], Is.GreaterThanOrEqualTo(4));
    }

    [TestCase("/support/requests?status=Done", "status")]
    [TestCase("/support/requests?from=yesterday", "from")]
    [TestCase("/support/requests?pageSize=0", "pageSize")]
    [TestCase("/support/requests?cursor=abc", "cursor")]
    public async Task Bad_parameters_are_a_400_naming_them(string path, string field)
    {
        var (status, body) = await Get(path);
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(body.GetProperty("details")[0].GetProperty("field").GetString(), Is.EqualTo(field));
    }
}

/// <summary>A deployment with one action also serves the platform paths at the root.</summary>
public sealed class SingleActionTests
{
    [Test]
    public async Task The_root_paths_serve_the_only_action()
    {
        using var factory = new ApiFactory(new Dictionary<string, string?> { ["ExternalAction:Actions:File"] = Path.Combine(Fixtures.Root, "actions", "single-action.json") });
        using var client = factory.CreateAuthenticatedClient();
        using var submit = await client.PostAsync("/submitAsyncAction", new StringContent(SampleRequests.Lead().ToJsonString(), Encoding.UTF8, "application/json"));
        Assert.That(submit.StatusCode, Is.EqualTo(HttpStatusCode.OK), await submit.Content.ReadAsStringAsync());
        using var definition = await client.GetAsync("/getServiceDefinition");
        Assert.That(JsonDocument.Parse(await definition.Content.ReadAsStringAsync()).RootElement.GetProperty("apiName").GetString(), Is.EqualTo("lead_scoring_service"));
        using var status = await client.GetAsync("/status");
        Assert.That(status.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var doc = JsonDocument.Parse(await client.GetStringAsync("/openapi.json")).RootElement;
        Assert.That(doc.GetProperty("servers")[0].GetProperty("url").GetString(), Does.Not.Contain("/actions/"));
        using var prefixed = await client.GetAsync("/actions/only/status");
        Assert.That(prefixed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Several_actions_do_not_serve_the_root_paths()
    {
        using var factory = new ApiFactory();
        using var client = factory.CreateAuthenticatedClient();
        using var response = await client.GetAsync("/getServiceDefinition");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }
}
