using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ExternalAction.TestSupport;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace ExternalAction.EndToEnd.Tests;

/// <summary>
/// The preview for the two synchronous contracts (issue 12 item 5), as <see cref="PreviewTests"/> does for B2B: an SFMC
/// split with a Data Extension write-back and an AJO custom action with response fields and a signed status webhook are
/// previewed (nothing sent, nothing stored), then sent for real through intake, RabbitMQ and the Processor, and the
/// preview's answer and requests are compared with what the platform got and what WireMock received.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class PreviewContractsTests
{
    private const string ChannelToken = "pv-channel-token-0123456789";
    private const string McClientSecret = "pv-mc-client-secret-0123456789";
    private const string McAccessToken = "pv-mc-access-token-0123456789";
    private const string StatusSecret = "pv-status-hmac-key-0123456789";
    private const string Rows = "/pv-mc-rest/data/v1/async/dataextensions/key:PreviewLog/rows";
    private EndToEndEnvironment _env = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _env = await EndToEndEnvironment.StartAsync(settings =>
        {
            foreach (var (key, value) in SfmcJourneyBuilder.Settings())
                settings[key] = value;
            settings["ExternalAction:Intake:PublicBaseUrl"] = "https://sfmc.example.com";
            settings["Secrets:pv-channel-token"] = ChannelToken;
            settings["Secrets:pv-mc-client-secret"] = McClientSecret;
            settings["Secrets:pv-status-hmac"] = StatusSecret;
        }, moreActions: wire => [SfmcAction(wire), AjoAction(wire)]);
        var wire = _env.Wire;
        wire.Given(Request.Create().WithPath("/pv-sfmc/*").UsingPost()).RespondWith(Response.Create().WithStatusCode(200).WithBodyAsJson(new { }));
        wire.Given(Request.Create().WithPath("/pv-ajo/*").UsingPost()).RespondWith(Response.Create().WithStatusCode(200).WithBodyAsJson(new { }));
        wire.Given(Request.Create().WithPath("/pv-status").UsingPost()).RespondWith(Response.Create().WithStatusCode(200).WithBodyAsJson(new { }));
        wire.Given(Request.Create().WithPath("/pv-mc-auth/v2/token").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200).WithBodyAsJson(new { access_token = McAccessToken, token_type = "Bearer", expires_in = 1080 }));
        wire.Given(Request.Create().WithPath(Rows).UsingPost())
            .RespondWith(Response.Create().WithStatusCode(202).WithBodyAsJson(new { requestId = "mc-req-1", resultMessages = Array.Empty<object>() }));
    }

    [OneTimeTearDown]
    public async Task Stop() => await _env.DisposeAsync();

    private static JsonObject SfmcAction(string wire) => JsonNode.Parse($$$"""
        {
          "name": "preview-sfmc",
          "channel": {
            "type": "webhook",
            "url": "{{{wire}}}/pv-sfmc/{{ contactKey }}",
            "headers": { "X-Partner-Key": "{{ inArguments.partnerKey }}" },
            "body": { "contact": "{{ contactKey }}", "tier": "{{ inArguments.tier }}", "branch": "{{ branchResult }}" },
            "auth": { "type": "bearer", "secret": "pv-channel-token" },
            "timeoutSeconds": 5
          },
          "sfmc": {
            "inArguments": [
              { "name": "contactKey", "binding": "{{Contact.Key}}", "required": true },
              { "name": "tier", "binding": "{{Contact.Attribute.Customers.Tier}}" },
              { "name": "partnerKey", "configurable": true, "required": true, "secret": true }
            ],
            "outArguments": [ { "name": "requestId", "value": "requestId" }, { "name": "branch", "value": "branchResult" } ],
            "outcomes": [ { "key": "vip" }, { "key": "standard" } ],
            "split": { "budgetMs": 500, "decision": { "rules": [ { "id": "vip-tiers", "when": [ { "path": "$.inArguments.tier", "operator": "is", "values": [ "gold" ] } ], "result": "vip" } ], "fallback": "standard" } },
            "writeBack": {
              "subdomain": "mc-test", "clientId": "pv-client", "clientSecretSecret": "pv-mc-client-secret", "accountId": "5150",
              "dataExtensionKey": "PreviewLog", "authBaseUrl": "{{{wire}}}/pv-mc-auth/", "restBaseUrl": "{{{wire}}}/pv-mc-rest/",
              "fields": { "ContactKey": "{{ contactKey }}", "Status": "{{ outcome.status }}", "Branch": "{{ branchResult }}", "RequestId": "{{ requestId }}" }
            }
          }
        }
        """)!.AsObject();

    /// <summary>
    /// Response fields from rules over the payload, a secret field sent in a header, a signed status webhook, and a cap
    /// per contact whose contact id is computed from the data (<c>spend / units</c>: a sample with zero units makes it throw).
    /// </summary>
    private static JsonObject AjoAction(string wire) => JsonNode.Parse($$$"""
        {
          "name": "preview-ajo",
          "channel": {
            "type": "webhook",
            "url": "{{{wire}}}/pv-ajo/{{ payload.customerId }}",
            "headers": { "X-Card-Token": "{{ payload.cardToken }}" },
            "body": { "customer": "{{ payload.customerId }}", "tier": "{{ response.tier }}", "units": "{{ payload.units }}" },
            "timeoutSeconds": 5
          },
          "rules": {
            "suppression": { "contactId": "{{ payload.customerId }}-{{ payload.spend | divided_by: payload.units }}" },
            "caps": [ { "name": "ten-an-hour", "max": 10, "windowHours": 1 } ]
          },
          "ajo": {
            "request": {
              "customerId": { "toBeMapped": true, "dataType": "string", "label": "customerId" },
              "segment": { "toBeMapped": true, "dataType": "string", "label": "segment" },
              "cardToken": { "toBeMapped": true, "dataType": "string", "label": "cardToken" },
              "spend": { "toBeMapped": true, "dataType": "integer", "label": "spend" },
              "units": { "toBeMapped": true, "dataType": "integer", "label": "units" }
            },
            "identity": { "profile": "$.customerId" },
            "secretFields": [ "$.cardToken" ],
            "response": { "tier": "gold" },
            "decision": {
              "rules": [ { "id": "vip-segment", "when": [ { "path": "$.segment", "operator": "is", "values": [ "vip" ] } ], "result": { "tier": "gold" } } ],
              "fallback": { "tier": "standard" }
            },
            "statusWebhook": { "url": "{{{wire}}}/pv-status", "secret": "pv-status-hmac" }
          }
        }
        """)!.AsObject();

    private async Task<JsonElement> PreviewAsync(string action, string contract, JsonObject request)
    {
        var body = new JsonObject { ["contract"] = contract, ["request"] = request.DeepClone() };
        using var message = new HttpRequestMessage(HttpMethod.Post, $"/actions/{action}/preview") { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        message.Headers.Add("X-Support-Key", EndToEndEnvironment.SupportKey);
        using var response = await _env.Client.SendAsync(message);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(200), text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static JsonElement Step(JsonElement preview, string step) =>
        preview.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("step").GetString() == step);

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    [Test]
    public async Task An_SFMC_preview_shows_the_split_branch_and_the_masked_write_back_the_real_execute_then_makes()
    {
        const string partnerKey = "partner-key-value-0123456789";
        var contact = Unique("pv-contact");
        var payload = SfmcJourneyBuilder.Payload(new Dictionary<string, JsonNode?> { ["contactKey"] = contact, ["tier"] = "gold", ["partnerKey"] = partnerKey },
            contactKey: contact, definitionInstanceId: Guid.NewGuid().ToString());

        var preview = await PreviewAsync("preview-sfmc", "sfmc", payload);
        Assert.That(_env.RequestsTo($"/pv-sfmc/{contact}"), Is.Empty, "a preview sends nothing to the channel");
        Assert.That(_env.RequestsTo(Rows).Where(r => r.RequestMessage.Body!.Contains(contact, StringComparison.Ordinal)), Is.Empty, "nor to Marketing Cloud");
        var requestId = preview.GetProperty("requestId").GetString()!;
        Assert.That(await _env.SupportViewAsync(requestId), Is.Null, "and stores no row");
        Assert.That(preview.GetProperty("selectedPath").GetString(), Is.EqualTo("vip"), "the split's branch");
        Assert.That(preview.GetProperty("outcome").GetProperty("status").GetString(), Is.EqualTo("Completed"));
        Assert.That(preview.ToString(), Does.Not.Contain(partnerKey).And.Not.Contain(ChannelToken).And.Not.Contain(McClientSecret), "no secret in the preview");
        var report = Step(preview, "report");
        Assert.That(report.GetProperty("target").GetString(), Is.EqualTo("dataExtension"));

        // The real execute: the same answer (request id, branch), then the same delivery and Data Extension upsert.
        using var response = await _env.Client.PostAsync("/actions/preview-sfmc/sfmc/execute", SfmcJourneyBuilder.Jwt(SfmcJourneyBuilder.Sign(payload)));
        var answer = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.That(JsonNode.DeepEquals(answer, JsonNode.Parse(preview.GetProperty("answer").GetRawText())), Is.True, $"{answer} against {preview.GetProperty("answer")}");
        Assert.That(answer["branch"]!.GetValue<string>(), Is.EqualTo("vip"));
        var row = EndToEndEnvironment.Row(await _env.WaitForFinalAsync(requestId));
        Assert.That(row.GetProperty("status").GetString(), Is.EqualTo("Completed"), row.ToString());
        Assert.That(row.GetProperty("selectedPathId").GetString(), Is.EqualTo("vip"));

        PreviewTests.AssertSame(Step(preview, "delivery").GetProperty("request"), _env.RequestsTo($"/pv-sfmc/{contact}").Single(),
            new Dictionary<string, string> { ["Authorization"] = "Bearer " + ChannelToken, ["X-Partner-Key"] = partnerKey });
        var upsert = _env.RequestsTo(Rows).Single(r => r.RequestMessage.Body!.Contains(contact, StringComparison.Ordinal));
        PreviewTests.AssertSame(report.GetProperty("request"), upsert, new Dictionary<string, string> { ["Authorization"] = "Bearer " + McAccessToken });
        Assert.That(JsonNode.Parse(upsert.RequestMessage.Body!)!["items"]![0]!["Branch"]!.GetValue<string>(), Is.EqualTo("vip"));
    }

    private static JsonObject AjoPayload(string customer, string segment, int units) => new()
    {
        ["customerId"] = customer, ["segment"] = segment, ["cardToken"] = "card-token-value-0123456789", ["spend"] = 1200, ["units"] = units,
    };

    [Test]
    public async Task An_AJO_preview_shows_the_response_fields_and_the_signed_status_webhook_the_real_call_then_makes()
    {
        var customer = Unique("pv-customer");
        var payload = AjoPayload(customer, "vip", 3);
        var preview = await PreviewAsync("preview-ajo", "ajo-custom-action", payload);
        Assert.That(_env.RequestsTo($"/pv-ajo/{customer}"), Is.Empty, "a preview sends nothing to the channel");
        Assert.That(_env.RequestsTo("/pv-status").Where(r => r.RequestMessage.Body!.Contains(customer, StringComparison.Ordinal)), Is.Empty, "nor to the status webhook");
        var requestId = preview.GetProperty("requestId").GetString()!;
        Assert.That(await _env.SupportViewAsync(requestId), Is.Null, "and stores no row");
        Assert.That(preview.GetProperty("answer").GetProperty("tier").GetString(), Is.EqualTo("gold"), "the response fields the journey branches on");
        Assert.That(preview.GetProperty("rules").GetProperty("verdict").GetString(), Is.EqualTo("deliver"));
        Assert.That(preview.ToString(), Does.Not.Contain("card-token-value-0123456789").And.Not.Contain(StatusSecret), "no secret in the preview");
        var report = Step(preview, "report");
        Assert.That(report.GetProperty("target").GetString(), Is.EqualTo("statusWebhook"));
        var shown = PreviewTests.Headers(report.GetProperty("request"));
        Assert.That(shown["X-Signature"], Is.EqualTo("***"), "the HMAC signature is masked");

        var (status, answer) = await InvokeAsync(payload);
        Assert.That(status, Is.EqualTo(200), answer.ToJsonString());
        Assert.That(JsonNode.DeepEquals(answer, JsonNode.Parse(preview.GetProperty("answer").GetRawText())), Is.True, $"{answer} against {preview.GetProperty("answer")}");
        var row = EndToEndEnvironment.Row(await _env.WaitForFinalAsync(requestId));
        Assert.That(row.GetProperty("status").GetString(), Is.EqualTo("Completed"), row.ToString());

        PreviewTests.AssertSame(Step(preview, "delivery").GetProperty("request"), _env.RequestsTo($"/pv-ajo/{customer}").Single(),
            new Dictionary<string, string> { ["X-Card-Token"] = "card-token-value-0123456789" });
        // The status webhook is signed at send time over a body with the send's times: the signature, its timestamp and
        // the body's length differ; everything else is compared, and the body field by field without the times.
        var sent = _env.RequestsTo("/pv-status").Single(r => r.RequestMessage.Body!.Contains(customer, StringComparison.Ordinal));
        var real = PreviewTests.Headers(sent);
        var timestamp = real["X-Signature-Timestamp"];
        var expected = "sha256=" + Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(Encoding.UTF8.GetBytes(StatusSecret), Encoding.UTF8.GetBytes($"{timestamp}.{sent.RequestMessage.Body}")));
        Assert.That(real["X-Signature"], Is.EqualTo(expected), "the real webhook is signed with the secret the preview masked");
        PreviewTests.AssertSame(report.GetProperty("request"), sent, new Dictionary<string, string> { ["X-Signature"] = expected }, compareBody: false, "X-Signature-Timestamp", "Content-Length");
        var previewedBody = JsonNode.Parse(report.GetProperty("request").GetProperty("body").GetString()!)!.AsObject();
        var sentBody = JsonNode.Parse(sent.RequestMessage.Body!)!.AsObject();
        foreach (var time in new[] { "receivedAt", "deliveredAt", "finishedAt" })
        {
            Assert.That(previewedBody.Remove(time) & sentBody.Remove(time), Is.True, $"both carry {time}");
        }
        Assert.That(previewedBody.ToJsonString(), Is.EqualTo(sentBody.ToJsonString()), "the status webhook's body but for the times");
        Assert.That(sentBody["status"]!.GetValue<string>(), Is.EqualTo("Completed"));
    }

    private async Task<(int Status, JsonObject Body)> InvokeAsync(JsonObject payload)
    {
        using var response = await _env.Client.PostAsync("/actions/preview-ajo/ajo/invoke", new StringContent(payload.ToJsonString(), Encoding.UTF8, "application/json"));
        return ((int)response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject());
    }

    [Test]
    public async Task A_preview_whose_rule_throws_on_the_sample_s_data_shows_the_failure_instead_of_a_500()
    {
        var customer = Unique("pv-zero");
        var preview = await PreviewAsync("preview-ajo", "ajo-custom-action", AjoPayload(customer, "vip", 0));
        var rules = preview.GetProperty("rules");
        Assert.That(rules.GetProperty("verdict").GetString(), Is.EqualTo("error"));
        Assert.That(rules.GetProperty("reason").GetString(), Does.StartWith("the delivery rules could not be applied to this request's data: TemplateException"));
        Assert.That(preview.GetProperty("steps").EnumerateArray().Any(s => s.GetProperty("step").GetString() == "delivery" && s.TryGetProperty("request", out var r) && r.ValueKind == JsonValueKind.Object),
            Is.False, "nothing would be delivered");
        Assert.That(preview.GetProperty("outcome").GetProperty("status").GetString(), Is.EqualTo("Failed"));
        Assert.That(_env.RequestsTo($"/pv-ajo/{customer}"), Is.Empty);
    }
}
