using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using ExternalAction.TestSupport;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace ExternalAction.Api.Tests.Sfmc;

/// <summary>
/// The activity's face: config.json from the action, execute's checks of in-arguments and ids (400 naming the argument),
/// Journey Builder's retries answered alike, and the split's branch from rules or a lookup within the budget.
/// </summary>
[TestFixture]
public sealed class SfmcActivityTests
{
    private SfmcHost _host = null!;

    [OneTimeSetUp]
    public void Start() => _host = new SfmcHost();

    [OneTimeTearDown]
    public async Task Stop() => await _host.DisposeAsync();

    private static Dictionary<string, JsonNode?> Slack(string contact) => new()
    {
        ["contactKey"] = contact, ["firstName"] = "Jane", ["webhookUrl"] = "https://hooks.slack.com/services/T0/B0/x",
        ["channel"] = "alerts", ["messageTemplate"] = "Welcome aboard",
    };

    private async Task<(HttpStatusCode Status, JsonObject Body)> Execute(string action, JsonObject payload)
    {
        using var response = await _host.ExecuteAsync(action, SfmcJourneyBuilder.Sign(payload));
        return (response.StatusCode, await SfmcHost.JsonAsync(response));
    }

    [Test]
    public async Task Config_json_is_a_REST_activity_with_the_bindings_schema_https_urls_and_jwt()
    {
        var config = (await _host.Client.GetFromJsonAsync<JsonObject>("/actions/slack-alert/sfmc/config.json"))!;
        var execute = config["arguments"]!["execute"]!;
        Assert.Multiple(() =>
        {
            Assert.That(config["type"]!.GetValue<string>(), Is.EqualTo("REST"));
            Assert.That(config["outcomes"], Is.Null);
            Assert.That(config["lang"]!["en-US"]!["name"]!.GetValue<string>(), Is.EqualTo("Slack alert"));
            Assert.That(execute["inArguments"]!.ToJsonString(), Is.EqualTo(
                """[{"contactKey":"{{Contact.Key}}"},{"firstName":"{{Contact.Attribute.Customers.FirstName}}"},{"webhookUrl":""},{"channel":"alerts"},{"messageTemplate":""}]"""));
            Assert.That(execute["url"]!.GetValue<string>(), Is.EqualTo("https://sfmc.example.com/actions/slack-alert/sfmc/execute"));
            Assert.That(execute["useJwt"]!.GetValue<bool>(), Is.True);
            Assert.That((execute["timeout"]!.GetValue<int>(), execute["retryCount"]!.GetValue<int>(), execute["retryDelay"]!.GetValue<int>(), execute["concurrentRequests"]!.GetValue<int>()),
                Is.EqualTo((10000, 3, 1000, 5)));
            foreach (var call in new[] { "save", "publish", "validate", "stop" })
                Assert.That(config["configurationArguments"]![call]!["url"]!.GetValue<string>(), Is.EqualTo($"https://sfmc.example.com/actions/slack-alert/sfmc/{call}"));
            var schemaIn = config["schema"]!["arguments"]!["execute"]!["inArguments"]!.AsArray();
            Assert.That(schemaIn[0]!["contactKey"]!.ToJsonString(), Is.EqualTo("""{"dataType":"Text","isNullable":false,"direction":"in","access":"visible"}"""));
            var schemaOut = config["schema"]!["arguments"]!["execute"]!["outArguments"]!.AsArray();
            Assert.That(schemaOut.Select(o => ((JsonObject)o!).First().Key), Is.EqualTo(new[] { "requestId", "status" }));
        });
    }

    [Test]
    public async Task A_split_is_RESTDECISION_with_its_outcomes()
    {
        var config = (await _host.Client.GetFromJsonAsync<JsonObject>("/actions/tier-split/sfmc/config.json"))!;
        Assert.That(config["type"]!.GetValue<string>(), Is.EqualTo("RESTDECISION"));
        Assert.That(config["outcomes"]!.ToJsonString(), Is.EqualTo(
            """[{"arguments":{"branchResult":"vip"},"metaData":{"label":"VIP"}},{"arguments":{"branchResult":"standard"},"metaData":{"label":"Standard"}},{"arguments":{"branchResult":"unknown"},"metaData":{"label":"Unknown tier"}}]"""));
        Assert.That(config["arguments"]!["execute"]!["inArguments"]![1]!["tier"]!.GetValue<string>(), Is.EqualTo("{{Contact.Attribute.Customers.\"Loyalty Tier\"}}"));
    }

    [Test]
    public async Task An_action_without_an_sfmc_section_is_404_and_an_unknown_action_too()
    {
        await using var host = new SfmcHost(actionsFile: Path.Combine(Fixtures.Root, "actions", "intake-actions.json"));
        using var b2bOnly = await host.Client.GetAsync("/actions/lead-scoring/sfmc/config.json");
        using var unknown = await _host.Client.GetAsync("/actions/nope/sfmc/config.json");
        Assert.That((b2bOnly.StatusCode, unknown.StatusCode), Is.EqualTo((HttpStatusCode.NotFound, HttpStatusCode.NotFound)));
    }

    [Test]
    public async Task Execute_answers_the_declared_out_arguments_with_a_deterministic_request_id()
    {
        var (status, body) = await Execute("slack-alert", SfmcJourneyBuilder.Payload(Slack("c-1"), contactKey: "c-1"));
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToJsonString());
        Assert.That(body["requestId"]!.GetValue<string>(), Does.Match("^sfmc-[0-9a-f]{40}$"));
        Assert.That(body["status"]!.GetValue<string>(), Is.EqualTo("queued"));
        Assert.That(body.Count, Is.EqualTo(2));
    }

    [Test]
    public async Task Journey_Builder_retries_of_one_execute_get_the_same_answer_and_another_contact_another_id()
    {
        var answers = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            // A retry carries the same activityId, definitionInstanceId and keyValue (activityInstanceId may change).
            var (status, body) = await Execute("slack-alert", SfmcJourneyBuilder.Payload(Slack("c-retry"), contactKey: "c-retry"));
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
            answers.Add(body.ToJsonString());
        }
        Assert.That(answers.Distinct().Count(), Is.EqualTo(1));
        var (_, other) = await Execute("slack-alert", SfmcJourneyBuilder.Payload(Slack("c-other"), contactKey: "c-other"));
        var (_, otherVersion) = await Execute("slack-alert", SfmcJourneyBuilder.Payload(Slack("c-retry"), contactKey: "c-retry", definitionInstanceId: "another-version"));
        Assert.That(new[] { answers[0], other.ToJsonString(), otherVersion.ToJsonString() }.Distinct().Count(), Is.EqualTo(3));
    }

    public static IEnumerable<TestCaseData> BadPayloads()
    {
        JsonObject With(Action<JsonObject> change)
        {
            var p = SfmcJourneyBuilder.Payload(Slack("c-bad"));
            change(p);
            return p;
        }
        yield return new TestCaseData(With(p => p["inArguments"]!.AsArray().Add(new JsonObject { ["discount"] = "10" })), "discount").SetName("An unknown in-argument is 400 naming it");
        yield return new TestCaseData(With(p => p["inArguments"] = new JsonArray(new JsonObject { ["contactKey"] = "x" }, new JsonObject { ["webhookUrl"] = "https://hooks.slack.com/a" })), "messageTemplate").SetName("A missing required in-argument is 400 naming it");
        yield return new TestCaseData(With(p => p["inArguments"] = "contactKey=x"), "inArguments").SetName("inArguments that are not an array are 400");
        yield return new TestCaseData(With(p => p["inArguments"]!.AsArray().Add("just a string")), "inArguments[5]").SetName("An in-argument that is not an object is 400 naming its place");
        yield return new TestCaseData(With(p => p["inArguments"]![2] = new JsonObject { ["webhookUrl"] = "https://evil.example.com/hook" }), "webhookUrl").SetName("A webhook URL on a host the action does not name is 400");
        yield return new TestCaseData(With(p => p["inArguments"]![2] = new JsonObject { ["webhookUrl"] = "http://hooks.slack.com/hook" }), "webhookUrl").SetName("A plain http webhook URL is 400");
        yield return new TestCaseData(With(p => p["inArguments"]![4] = new JsonObject { ["messageTemplate"] = new JsonObject { ["a"] = 1 } }), "messageTemplate").SetName("An object as an in-argument value is 400");
        yield return new TestCaseData(With(p => p["inArguments"]![4] = new JsonObject { ["messageTemplate"] = new string('x', 2001) }), "messageTemplate").SetName("An in-argument longer than its maxLength is 400");
        yield return new TestCaseData(With(p => p.Remove("keyValue")), "keyValue").SetName("A payload without keyValue is 400");
        yield return new TestCaseData(With(p => p["activityId"] = 42), "activityId").SetName("A numeric activityId is 400");
        yield return new TestCaseData(With(p => p["definitionInstanceId"] = "a\u0001b"), "definitionInstanceId").SetName("An id with a control character is 400");
        yield return new TestCaseData(With(p => p["keyValue"] = new string('k', 257)), "keyValue").SetName("A contact key longer than 256 characters is 400");
    }

    [TestCaseSource(nameof(BadPayloads))]
    public async Task Malformed_payloads_are_400_naming_the_argument(JsonObject payload, string argument)
    {
        var (status, body) = await Execute("slack-alert", payload);
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest), body.ToJsonString());
        Assert.That(body["argument"]!.GetValue<string>(), Is.EqualTo(argument));
        Assert.That(body["message"]!.GetValue<string>(), Does.Contain(argument));
        Assert.That(body.ToJsonString(), Does.Not.Contain("evil.example.com"), "the value is not echoed");
    }

    [Test]
    public async Task A_signed_token_whose_payload_is_not_an_object_is_400()
    {
        var token = new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler().CreateToken("[1,2]",
            new Microsoft.IdentityModel.Tokens.SigningCredentials(new Microsoft.IdentityModel.Tokens.SymmetricSecurityKey(Encoding.UTF8.GetBytes(SfmcJourneyBuilder.SigningSecret)), "HS256"));
        using var response = await _host.ExecuteAsync("slack-alert", token);
        Assert.That((int)response.StatusCode, Is.InRange(400, 401), "bad input, never a 5xx");
    }

    [TestCase("gold", "vip")]
    [TestCase("platinum", "vip")]
    [TestCase("bronze", "standard")]
    [TestCase("wood", "unknown")]
    public async Task Split_rules_choose_each_outcome(string tier, string branch)
    {
        var (status, body) = await Execute("tier-split", SfmcJourneyBuilder.Payload(new Dictionary<string, JsonNode?> { ["contactKey"] = "c-" + tier, ["tier"] = tier }, contactKey: "c-" + tier));
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToJsonString());
        Assert.That(body["branchResult"]!.GetValue<string>(), Is.EqualTo(branch));
        Assert.That(body["branch"]!.GetValue<string>(), Is.EqualTo(branch), "the declared out-argument carries it too");
        Assert.That(body["requestId"]!.GetValue<string>(), Does.StartWith("sfmc-"));
    }

    [Test]
    public async Task A_lookup_slower_than_the_budget_answers_the_fallback_within_budget_plus_50_ms()
    {
        using var wire = WireMockServer.Start();
        wire.Given(Request.Create().WithPath("/segments/c-slow").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithBodyAsJson(new { segment = "vip" }).WithDelay(TimeSpan.FromSeconds(3)));
        wire.Given(Request.Create().WithPath("/segments/c-fast").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithBodyAsJson(new { segment = "vip" }));
        var file = SfmcHost.WriteActions(JsonNode.Parse($$$"""
            {
              "name": "segment-split",
              "channel": { "type": "none" },
              "sfmc": {
                "inArguments": [ { "name": "contactKey", "binding": "{{Contact.Key}}", "required": true } ],
                "outcomes": [ { "key": "vip" }, { "key": "regular" } ],
                "split": {
                  "budgetMs": 200,
                  "decision": {
                    "lookup": {
                      "url": "{{{wire.Url}}}/segments/{{ inArguments.contactKey }}",
                      "rules": [ { "id": "vip", "when": [ { "path": "$.segment", "operator": "is", "values": [ "vip" ] } ], "result": "vip" } ]
                    },
                    "fallback": "regular"
                  }
                }
              }
            }
            """)!.AsObject());
        await using var host = new SfmcHost(new Dictionary<string, string?> { ["ExternalAction:Outbound:AllowedNetworks:0"] = "127.0.0.0/8" }, actionsFile: file);

        // A cold first call (JIT, the lookup client's first connection) may pass 200 ms here; a warm one decides.
        string? fast = null;
        for (var i = 0; i < 5 && fast != "vip"; i++)
        {
            using var warm = await host.ExecuteAsync("segment-split", SfmcJourneyBuilder.Sign(SfmcJourneyBuilder.Payload(new Dictionary<string, JsonNode?> { ["contactKey"] = "c-fast" }, contactKey: "c-fast")));
            fast = (await SfmcHost.JsonAsync(warm))["branchResult"]!.GetValue<string>();
        }
        Assert.That(fast, Is.EqualTo("vip"), $"a lookup within the budget decides; logs: {host.Logs.All}");

        var token = SfmcJourneyBuilder.Sign(SfmcJourneyBuilder.Payload(new Dictionary<string, JsonNode?> { ["contactKey"] = "c-slow" }, contactKey: "c-slow"));
        var timer = Stopwatch.StartNew();
        using var response = await host.ExecuteAsync("segment-split", token);
        var took = timer.Elapsed;
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await SfmcHost.JsonAsync(response))["branchResult"]!.GetValue<string>(), Is.EqualTo("regular"));
        Assert.That(took, Is.LessThan(TimeSpan.FromMilliseconds(200 + 50)));
        File.Delete(file);
    }
}
