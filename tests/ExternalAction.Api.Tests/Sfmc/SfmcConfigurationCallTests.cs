using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using ExternalAction.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace ExternalAction.Api.Tests.Sfmc;

/// <summary>save, validate, publish and stop: JSON or a verified JWT, unsigned per setting; validate says what is not ready;
/// publish and stop record the journey version, which support lists.</summary>
[TestFixture]
public sealed class SfmcConfigurationCallTests
{
    private static JsonObject Body(string journey = "j-1", string version = "2") => new()
    {
        ["activityObjectID"] = "act-obj-1", ["interactionId"] = journey, ["originalDefinitionId"] = "orig-1",
        ["interactionKey"] = "welcome-journey", ["interactionVersion"] = version,
    };

    private static StringContent Json(JsonObject body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

    [Test]
    public async Task Unsigned_calls_are_refused_outside_Development_unless_the_setting_allows_them_and_a_jwt_is_verified()
    {
        await using var host = new SfmcHost();
        using var unsigned = await host.Client.PostAsync("/actions/slack-alert/sfmc/save", Json(Body()));
        Assert.That(unsigned.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((await SfmcHost.JsonAsync(unsigned))["message"]!.GetValue<string>(), Does.Contain("AcceptUnsignedConfigurationCalls"));
        using var signed = await host.Client.PostAsync("/actions/slack-alert/sfmc/save", SfmcJourneyBuilder.Jwt(SfmcJourneyBuilder.Sign(Body())));
        Assert.That(signed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using var forged = await host.Client.PostAsync("/actions/slack-alert/sfmc/validate", SfmcJourneyBuilder.Jwt(SfmcJourneyBuilder.Sign(Body(), "a-wrong-secret-0123456789abcdef0123456789abcdef0123")));
        Assert.That(forged.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));

        await using var allowing = new SfmcHost(new Dictionary<string, string?> { ["ExternalAction:Sfmc:AcceptUnsignedConfigurationCalls"] = "true" });
        using var accepted = await allowing.Client.PostAsync("/actions/slack-alert/sfmc/save", Json(Body()));
        Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task In_Development_unsigned_calls_are_accepted_by_default()
    {
        await using var host = new SfmcHost(environment: "Development");
        using var response = await host.Client.PostAsync("/actions/slack-alert/sfmc/save", Json(Body()));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task Publish_and_stop_record_where_the_action_is_live_and_support_lists_it()
    {
        await using var host = new SfmcHost(new Dictionary<string, string?> { ["ExternalAction:Sfmc:AcceptUnsignedConfigurationCalls"] = "true" });
        foreach (var (call, body) in new[] { ("publish", Body("j-1", "1")), ("publish", Body("j-1", "2")), ("stop", Body("j-1", "1")) })
        {
            using var response = await host.Client.PostAsync($"/actions/slack-alert/sfmc/{call}", Json(body));
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        }
        using var request = new HttpRequestMessage(HttpMethod.Get, "/support/activations?action=slack-alert&state=live");
        request.Headers.Add("X-Support-Key", ApiFactory.SupportKey);
        using var live = await host.Client.SendAsync(request);
        var items = (await live.Content.ReadFromJsonAsync<JsonObject>())!["items"]!.AsArray();
        Assert.That(items.Select(i => (i!["journeyId"]!.GetValue<string>(), i["journeyVersion"]!.GetValue<string>(), i["activityId"]!.GetValue<string>(), i["journeyKey"]!.GetValue<string>())),
            Is.EqualTo(new[] { ("j-1", "2", "act-obj-1", "welcome-journey") }));

        using var missing = await host.Client.PostAsync("/actions/slack-alert/sfmc/publish", Json(new JsonObject { ["activityObjectID"] = "a" }));
        Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await SfmcHost.JsonAsync(missing))["argument"]!.GetValue<string>(), Is.EqualTo("interactionId"));
    }

    [Test]
    public async Task Validate_answers_400_with_a_marketer_readable_message_when_a_secret_is_missing()
    {
        var file = SfmcHost.WriteActions(JsonNode.Parse("""
            {
              "name": "notify",
              "channel": { "type": "webhook", "url": "https://hooks.example.com/notify", "auth": { "type": "bearer", "secret": "notify-token" } },
              "sfmc": { "inArguments": [ { "name": "contactKey", "binding": "{{Contact.Key}}" } ] }
            }
            """)!.AsObject());
        await using var host = new SfmcHost(new Dictionary<string, string?> { ["ExternalAction:Sfmc:AcceptUnsignedConfigurationCalls"] = "true" }, actionsFile: file);
        using var response = await host.Client.PostAsync("/actions/notify/sfmc/validate", Json(Body()));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var message = (await SfmcHost.JsonAsync(response))["message"]!.GetValue<string>();
        Assert.That(message, Does.StartWith("This activity cannot run yet: the service is missing the channel's credentials ('notify-token')."));
        Assert.That(message, Does.Contain("Ask the administrator"));

        await using var ready = new SfmcHost(new Dictionary<string, string?>
        {
            ["ExternalAction:Sfmc:AcceptUnsignedConfigurationCalls"] = "true", ["Secrets:notify-token"] = "notify-token-value-0123456789",
        }, actionsFile: file);
        using var ok = await ready.Client.PostAsync("/actions/notify/sfmc/validate", Json(Body()));
        Assert.That(ok.StatusCode, Is.EqualTo(HttpStatusCode.OK), await ok.Content.ReadAsStringAsync());
        File.Delete(file);
    }

    /// <summary>Actions that load and have every secret the readiness checks look for, but fail for every contact.</summary>
    private static readonly string BrokenActions = """
        [
          { "name": "bad-template",
            "channel": { "type": "webhook", "url": "https://hooks.example.com/notify",
                         "body": { "perContact": "{{ inArguments.count | divided_by: 0 }}" } },
            "sfmc": { "inArguments": [ { "name": "contactKey", "binding": "{{Contact.Key}}" },
                                       { "name": "count", "binding": "{{Contact.Attribute.Customers.Count}}", "dataType": "Number" } ] } },
          { "name": "missing-field",
            "channel": { "type": "webhook", "url": "https://hooks.example.com/notify" },
            "rules": { "suppression": { "useList": false, "rules": [ { "name": "opted-out", "when": [ { "field": "inArguments.optOut", "operator": "is", "values": [ "true" ] } ] } ] } },
            "sfmc": { "inArguments": [ { "name": "contactKey", "binding": "{{Contact.Key}}" } ] } },
          { "name": "missing-split-field",
            "channel": { "type": "none" },
            "sfmc": { "inArguments": [ { "name": "contactKey", "binding": "{{Contact.Key}}" } ],
                      "outcomes": [ { "key": "vip" }, { "key": "standard" } ],
                      "split": { "budgetMs": 500, "decision": { "rules": [ { "id": "vip-tiers", "when": [ { "path": "$.inArguments.tier", "operator": "is", "values": [ "gold" ] } ], "result": "vip" } ], "fallback": "standard" } } } },
          { "name": "sinch-no-token",
            "channel": { "type": "sinch", "baseUrl": "https://us.sms.api.sinch.com", "servicePlanId": "plan123", "apiTokenSecret": "sinch-token",
                         "from": "+15550001", "to": "{{ inArguments.phone }}", "text": "Hello {{ inArguments.firstName }}" },
            "sfmc": { "inArguments": [ { "name": "contactKey", "binding": "{{Contact.Key}}" },
                                       { "name": "phone", "binding": "{{Contact.Attribute.Customers.Mobile}}", "dataType": "Phone" },
                                       { "name": "firstName", "binding": "{{Contact.Attribute.Customers.FirstName}}" } ] } }
        ]
        """;

    [TestCase("bad-template", "the webhook message cannot be built from a contact's data: Template '")]
    [TestCase("missing-field", "suppression rule 'opted-out' reads 'inArguments.optOut', which a contact's execute does not carry (its in-arguments: contactKey).")]
    [TestCase("missing-split-field", "the split's rule 'vip-tiers' reads '$.inArguments.tier', which a contact's execute does not carry")]
    [TestCase("sinch-no-token", "the sinch message cannot be built from a contact's data: Secret 'sinch-token'")]
    public async Task Validate_previews_a_placeholder_contact_and_answers_400_when_its_request_cannot_be_built(string action, string expected)
    {
        var file = SfmcHost.WriteActions([.. JsonNode.Parse(BrokenActions)!.AsArray().Select(a => a!.DeepClone().AsObject())]);
        await using var host = new SfmcHost(new Dictionary<string, string?> { ["ExternalAction:Sfmc:AcceptUnsignedConfigurationCalls"] = "true" }, actionsFile: file);
        var started = System.Diagnostics.Stopwatch.StartNew();
        using var response = await host.Client.PostAsync($"/actions/{action}/sfmc/validate", Json(Body()));
        var message = (await SfmcHost.JsonAsync(response))["message"]!.GetValue<string>();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), message);
        Assert.That(message, Does.StartWith("This activity cannot run yet: " + expected));
        Assert.That(message, Does.EndWith("Ask the administrator of the ExternalAction service to fix it, then validate again."));
        // save is not a validation: the same activity saves.
        using var saved = await host.Client.PostAsync($"/actions/{action}/sfmc/save", Json(Body()));
        Assert.That(saved.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        File.Delete(file);
    }

    [Test]
    public async Task Validate_passes_for_activities_whose_placeholder_contact_previews_cleanly_without_any_request_leaving()
    {
        // The fixture's Slack alert (URL from a secret in-argument, limited to hooks.slack.com) and its split: nothing is
        // listening on those hosts, so a 200 also shows that the preview sent nothing.
        await using var host = new SfmcHost(new Dictionary<string, string?> { ["ExternalAction:Sfmc:AcceptUnsignedConfigurationCalls"] = "true" });
        foreach (var action in new[] { "slack-alert", "tier-split" })
        {
            using var response = await host.Client.PostAsync($"/actions/{action}/sfmc/validate", Json(Body()));
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        }
        var placeholder = ExternalAction.Api.Sfmc.SfmcValidation.Placeholders(host.Services.GetRequiredService<ExternalAction.Actions.ActionCatalog>().Find("slack-alert")!);
        Assert.That(placeholder.ToJsonString(), Does.Contain("\"webhookUrl\":\"https://hooks.slack.com/validate-placeholder\"").And.Contain("\"channel\":\"alerts\""),
            "a url argument names an allowed host; a configurable one keeps its default");
    }

    [TestCase("\"timeout\": 500", "sfmc.execute.timeout")]
    [TestCase("\"retryCount\": 6", "sfmc.execute.retryCount")]
    [TestCase("\"retryDelay\": 10001", "sfmc.execute.retryDelay")]
    [TestCase("\"concurrentRequests\": 0", "sfmc.execute.concurrentRequests")]
    public void Execute_settings_outside_Journey_Builders_ranges_stop_start_up_naming_file_action_and_key(string setting, string key)
    {
        var file = SfmcHost.WriteActions(JsonNode.Parse("""
            { "name": "bad-range", "sfmc": { "inArguments": [ { "name": "contactKey", "binding": "{{Contact.Key}}" } ], "execute": { SETTING } } }
            """.Replace("SETTING", setting))!.AsObject());
        var e = Assert.Catch(() => _ = new SfmcHost(actionsFile: file));
        Assert.That(e!.ToString(), Does.Contain(file).And.Contain("action 'bad-range'").And.Contain($"key '{key}'"));
        File.Delete(file);
    }

    [Test]
    public void Outside_Development_a_plain_http_public_url_stops_start_up()
    {
        var e = Assert.Catch(() => _ = new SfmcHost(new Dictionary<string, string?> { ["ExternalAction:Intake:PublicBaseUrl"] = "http://sfmc.example.com" }));
        Assert.That(e!.ToString(), Does.Contain("PublicBaseUrl must be the service's https URL"));
    }
}

/// <summary>The README's sample (seed 004's Slack case) loads, and a one-action deployment serves it at the root too.</summary>
[TestFixture]
public sealed class SfmcSampleTests
{
    [Test]
    public async Task The_slack_alert_sample_is_served_at_the_root_and_under_its_name()
    {
        await using var host = new SfmcHost(actionsFile: Path.Combine(AppContext.BaseDirectory, "samples", "sfmc", "slack-alert.actions.json"));
        var root = (await host.Client.GetFromJsonAsync<JsonObject>("/sfmc/config.json"))!;
        var named = (await host.Client.GetFromJsonAsync<JsonObject>("/actions/slack-alert/sfmc/config.json"))!;
        Assert.That(root["arguments"]!["execute"]!["url"]!.GetValue<string>(), Is.EqualTo("https://sfmc.example.com/sfmc/execute"));
        Assert.That(named["arguments"]!["execute"]!["url"]!.GetValue<string>(), Is.EqualTo("https://sfmc.example.com/actions/slack-alert/sfmc/execute"));
        var payload = SfmcJourneyBuilder.Payload(new Dictionary<string, JsonNode?>
        {
            ["contactKey"] = "c-sample", ["webhookUrl"] = "https://hooks.slack.com/services/T0/B0/x", ["channel"] = "ops", ["messageTemplate"] = "Hello",
        }, contactKey: "c-sample");
        using var response = await host.Client.PostAsync("/sfmc/execute", SfmcJourneyBuilder.Jwt(SfmcJourneyBuilder.Sign(payload)));
        var answer = await SfmcHost.JsonAsync(response);
        Assert.That((response.StatusCode, answer["slackStatus"]!.GetValue<string>()), Is.EqualTo((HttpStatusCode.OK, "queued")));
        using var b2b = await host.Client.GetAsync("/getServiceDefinition");
        Assert.That(b2b.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "the sample serves Journey Builder only");
    }
}
