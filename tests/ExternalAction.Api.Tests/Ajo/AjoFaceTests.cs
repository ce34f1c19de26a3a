using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ExternalAction.TestSupport;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using static ExternalAction.Api.Tests.Ajo.AjoPayloads;

namespace ExternalAction.Api.Tests.Ajo;

/// <summary>
/// The AJO face as a practitioner and AJO meet it: custom-action.json round trip, the root paths of a one-action
/// deployment, start-up refusing a declaration AJO would not take, and AJO's retry pattern answered alike.
/// </summary>
[TestFixture]
public sealed class AjoFaceTests
{
    private string _dir = null!;

    [SetUp]
    public void CreateFolder()
    {
        _dir = Path.Combine(Path.GetTempPath(), $"ajo-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_dir, recursive: true);

    private string Write(params string[] actions)
    {
        var path = Path.Combine(_dir, "actions.json");
        File.WriteAllText(path, $$"""{ "actions": [ {{string.Join(", ", actions)}} ] }""");
        return path;
    }

    private static ApiFactory Host(string file, IDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?> { ["ExternalAction:Actions:File"] = file };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>())
            all[k] = v;
        return new ApiFactory(all);
    }

    public static IEnumerable<TestCaseData> ActionFiles()
    {
        var root = RabbitVirtualHost.RepositoryRoot();
        yield return new TestCaseData(Path.Combine(root, "src", "Api", "actions.json")).SetName("The samples of the embedded default round-trip");
        yield return new TestCaseData(Path.Combine(Fixtures.Root, "actions", "ajo-actions.json")).SetName("The test fixtures round-trip");
    }

    [TestCaseSource(nameof(ActionFiles))]
    public async Task Custom_action_json_round_trips_through_invoke(string file)
    {
        using var factory = Host(file);
        using var client = factory.CreateAuthenticatedClient();
        using var anonymous = factory.CreateClient();
        var catalog = JsonNode.Parse(File.ReadAllText(file), documentOptions: new System.Text.Json.JsonDocumentOptions { CommentHandling = System.Text.Json.JsonCommentHandling.Skip })!;
        var names = catalog["actions"]!.AsArray().Where(a => a!["ajo"] is not null).Select(a => a!["name"]!.GetValue<string>()).ToList();
        Assert.That(names, Is.Not.Empty);

        foreach (var name in names)
        {
            // Public, like the B2B service definition: the practitioner reads it before entering credentials.
            var document = JsonNode.Parse(await anonymous.GetStringAsync($"/actions/{name}/ajo/custom-action.json"))!;
            Assert.That(document["url"]!.GetValue<string>(), Is.EqualTo($"/actions/{name}/ajo/invoke"));
            Assert.That(document["method"]!.GetValue<string>(), Is.EqualTo("POST"));

            using var response = await client.PostAsJsonAsync(document["url"]!.GetValue<string>(), Fill(document["requestPayload"]));
            var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();

            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"{name}: {answer.ToJsonString()}");
            // The answer has the fields the response payload example announces, of the same JSON kinds.
            var example = document["responsePayload"]!.AsObject();
            Assert.That(answer.Select(p => p.Key), Is.EquivalentTo(example.Select(p => p.Key)), name);
            foreach (var (field, value) in example)
                Assert.That(answer[field]!.GetValueKind(), Is.EqualTo(value!.GetValueKind()), $"{name}.{field}");
        }
    }

    [Test]
    public async Task Custom_action_json_offers_AJO_custom_authentication_on_our_token_endpoint()
    {
        var file = Write("""{ "name": "solo", "channel": { "type": "none" }, "ajo": { "request": { "id": { "toBeMapped": true, "dataType": "string", "label": "id" } } } }""");
        using var factory = Host(file, new Dictionary<string, string?>
        {
            ["ExternalAction:Auth:Scheme"] = "oauth2",
            ["ExternalAction:Auth:OAuth2:Mode"] = "issue",
            ["ExternalAction:Auth:OAuth2:SigningKey"] = Convert.ToBase64String(new byte[32].Select((_, i) => (byte)(i + 1)).ToArray()),
            ["ExternalAction:Auth:OAuth2:Clients:ajo"] = new string('a', 64),
            ["ExternalAction:Auth:OAuth2:TokenLifetimeMinutes"] = "30",
            ["ExternalAction:Intake:PublicBaseUrl"] = "https://actions.example.com",
        });
        using var client = factory.CreateClient();

        var auth = JsonNode.Parse(await client.GetStringAsync("/ajo/custom-action.json"))!["authentication"]!;

        Assert.Multiple(() =>
        {
            Assert.That(auth["type"]!.GetValue<string>(), Is.EqualTo("customAuthorization"));
            Assert.That(auth["endpoint"]!.GetValue<string>(), Is.EqualTo("https://actions.example.com/oauth/token"));
            Assert.That(auth["tokenInResponse"]!.GetValue<string>(), Is.EqualTo("json://access_token"));
            // 30 min tokens, cached 28 min: past Adobe's one-minute buffer.
            Assert.That(auth["cacheDuration"]!["duration"]!.GetValue<int>(), Is.EqualTo(28));
            Assert.That(auth.ToJsonString(), Does.Not.Contain(new string('a', 64)));
        });
    }

    [Test]
    public async Task A_one_action_deployment_serves_the_face_at_the_root_too()
    {
        var file = Write("""{ "name": "solo", "channel": { "type": "none" }, "ajo": { "request": { "id": { "toBeMapped": true, "dataType": "string", "label": "id" } } } }""");
        using var factory = Host(file);
        using var client = factory.CreateAuthenticatedClient();

        using var root = await client.PostAsJsonAsync("/ajo/invoke", new { id = "1" });
        using var named = await client.PostAsJsonAsync("/actions/solo/ajo/invoke", new { id = "1" });
        var document = JsonNode.Parse(await client.GetStringAsync("/ajo/custom-action.json"))!;

        Assert.Multiple(async () =>
        {
            Assert.That(root.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await root.Content.ReadAsStringAsync(), Is.EqualTo(await named.Content.ReadAsStringAsync()));
            Assert.That(document["url"]!.GetValue<string>(), Is.EqualTo("/ajo/invoke"));
        });
    }

    [Test]
    public async Task An_action_without_an_ajo_section_answers_404_on_its_ajo_paths()
    {
        using var factory = Host(Path.Combine(Fixtures.Root, "actions", "intake-actions.json"));
        using var client = factory.CreateAuthenticatedClient();

        using var invoke = await client.PostAsJsonAsync("/actions/lead-scoring/ajo/invoke", new { id = "1" });
        using var document = await client.GetAsync("/actions/lead-scoring/ajo/custom-action.json");

        Assert.Multiple(() =>
        {
            Assert.That(invoke.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(document.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        });
    }

    private const string Mapped = """{ "toBeMapped": true, "dataType": "string", "label": "x" }""";

    public static IEnumerable<TestCaseData> BadDeclarations()
    {
        TestCaseData Case(string ajo, string key) => new TestCaseData(ajo, key);
        yield return Case($$"""{ "request": { "id": {{Mapped}}, "tags": [ "a", 1 ] } }""", "ajo.request.tags").SetName("A heterogeneous constant array");
        yield return Case($$"""{ "request": { "items": [ {{Mapped}}, {{Mapped}} ] } }""", "ajo.request.items").SetName("A collection declaring two items");
        yield return Case("""{ "request": { "id": { "toBeMapped": true, "dataType": "long", "label": "x" } } }""", "ajo.request.id.dataType").SetName("An unknown data type");
        yield return Case($$"""{ "request": { "id": {{Mapped}} }, "identity": { "profile": "$.missing" } }""", "ajo.identity.profile").SetName("An identity field that is not declared");
        yield return Case($$"""{ "request": { "id": {{Mapped}} }, "unknownFields": "drop" }""", "ajo.unknownFields").SetName("An unknown-field policy that does not exist");
        yield return Case($$"""{ "request": { "id": {{Mapped}} }, "response": { "tiers": [ "gold", 2 ] }, "decision": { "fallback": { "tiers": [ "x" ] } } }""", "ajo.response.tiers").SetName("A heterogeneous response array");
        yield return Case($$"""{ "request": { "id": {{Mapped}} }, "response": { "tiers": [ ] }, "decision": { "fallback": { "tiers": [ ] } } }""", "ajo.response.tiers").SetName("An empty response array");
        yield return Case($$"""{ "request": { "id": {{Mapped}} }, "response": { "status": "gold" } }""", "ajo.decision").SetName("A response without a decision");
        yield return Case($$"""{ "request": { "id": {{Mapped}} }, "response": { "status": "gold" }, "decision": { "fallback": { "status": 1 } } }""", "ajo.decision.fallback.status").SetName("A fallback of another type than the response");
        yield return Case($$"""{ "request": { "id": {{Mapped}} }, "response": { "status": "gold" }, "decision": { "rules": [ { "id": "r", "result": { "status": "gold", "extra": 1 } } ] } }""", "ajo.decision.rules[0].result.extra").SetName("A rule result with a field the response lacks");
        yield return Case($$$"""{ "request": { "id": {{{Mapped}}} }, "response": { "status": "gold" }, "decision": { "lookup": { "url": "https://{{ id }}.example.com/v", "fields": { "status": "$.s" } }, "fallback": { "status": "x" } } }""", "ajo.decision.lookup.url").SetName("A lookup host chosen by the call");
        yield return Case($$"""{ "request": { "id": {{Mapped}} }, "response": { "status": "gold", "points": 1 }, "decision": { "lookup": { "url": "https://r.example.com/v", "fields": { "status": "$.s" } }, "fallback": { "status": "x", "points": 0 } } }""", "ajo.decision.lookup.fields").SetName("A lookup that leaves a response field unmapped");
        yield return Case($$"""{ "request": { "id": {{Mapped}} }, "budgetMilliseconds": 0 }""", "ajo.budgetMilliseconds").SetName("A zero budget");
        yield return Case($$"""{ "request": { "id": {{Mapped}} }, "statusWebhook": { "url": "ftp://status.example.com", "secret": "s" } }""", "ajo.statusWebhook.url").SetName("A status webhook that is not http(s)");
    }

    [TestCaseSource(nameof(BadDeclarations))]
    public void A_bad_ajo_section_stops_start_up_naming_the_file_the_action_and_the_key(string ajo, string key)
    {
        var file = Write($$"""{ "name": "broken", "channel": { "type": "none" }, "ajo": {{ajo}} }""");
        using var factory = Host(file);

        var error = Assert.Catch(() => factory.CreateClient().Dispose())!;
        var messages = string.Join("\n", Flatten(error).Select(e => e.Message));

        Assert.That(messages, Does.Contain(file).And.Contain("action 'broken'").And.Contain($"key '{key}"));
    }

    private static IEnumerable<Exception> Flatten(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            yield return x;
            if (x is AggregateException a)
                foreach (var inner in a.Flatten().InnerExceptions)
                    yield return inner;
        }
    }

    [Test]
    public async Task AJOs_retries_of_one_call_get_the_same_answer_and_one_lookup()
    {
        using var wire = WireMockServer.Start();
        // The rewards service would answer differently on a second call: the retries must not ask it again.
        wire.Given(Request.Create().WithPath("/rewards/vip-status").UsingGet()).InScenario("tiers").WillSetStateTo("asked")
            .RespondWith(Response.Create().WithDelay(TimeSpan.FromMilliseconds(80)).WithBodyAsJson(new { status = "gold", points = 1290 }));
        wire.Given(Request.Create().WithPath("/rewards/vip-status").UsingGet()).InScenario("tiers").WhenStateIs("asked")
            .RespondWith(Response.Create().WithBodyAsJson(new { status = "silver", points = 10 }));
        var file = Write($$$"""
            {
              "name": "vip", "channel": { "type": "none" },
              "ajo": {
                "request": { "customerId": {{{Mapped}}}, "stepId": {{{Mapped}}} },
                "identity": { "profile": "$.customerId", "step": "$.stepId" },
                "response": { "status": "gold", "points": 1290 },
                "decision": {
                  "lookup": { "url": "{{{wire.Url}}}/rewards/vip-status?customerId={{ customerId }}", "fields": { "status": "$.status", "points": "$.points" } },
                  "fallback": { "status": "unknown", "points": 0 }
                },
                "budgetMilliseconds": 5000
              }
            }
            """);
        using var factory = Host(file, new Dictionary<string, string?> { ["ExternalAction:Outbound:AllowedNetworks:0"] = "127.0.0.0/8" });
        using var client = factory.CreateAuthenticatedClient();
        var call = new { customerId = "c-42", stepId = "s-1" };

        // Two at once, then two more: AJO's first call and up to three retries within its 30 s timeout.
        var concurrent = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => client.PostAsJsonAsync("/actions/vip/ajo/invoke", call)));
        var later = new List<HttpResponseMessage>();
        for (var i = 0; i < 2; i++)
            later.Add(await client.PostAsJsonAsync("/actions/vip/ajo/invoke", call));
        var answers = new List<string>();
        foreach (var response in concurrent.Concat(later))
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            answers.Add(await response.Content.ReadAsStringAsync());
            response.Dispose();
        }

        Assert.Multiple(() =>
        {
            Assert.That(answers.Distinct().ToList(), Has.Count.EqualTo(1), string.Join("\n", answers));
            Assert.That(JsonNode.Parse(answers[0])!["status"]!.GetValue<string>(), Is.EqualTo("gold"), string.Join("\n", wire.LogEntries.Select(e => e.RequestMessage.Url + " " + e.ResponseMessage.StatusCode)));
            Assert.That(wire.LogEntries.Count, Is.EqualTo(1), "one lookup for the four calls");
        });
    }
}
