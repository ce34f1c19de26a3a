using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace ExternalAction.EndToEnd.Tests;

/// <summary>
/// An AJO custom action whose delivery never succeeds before its deadline: the request ends <c>TimedOut</c> and the
/// action's status webhook is told so (signed, once), with the reason and the channel's last answer. The Api's clock
/// runs 52 s behind, so a one-minute deadline (the shortest an action may declare) passes about 8 s after the call.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class AjoDeadlineTests
{
    private const string StatusSecret = "status-hmac-key-value";
    private EndToEndEnvironment _env = null!;

    [OneTimeSetUp]
    public async Task Start() => _env = await EndToEndEnvironment.StartAsync(
        settings => settings["Secrets:status-hmac"] = StatusSecret,
        apiClockOffset: TimeSpan.FromSeconds(-52),
        moreActions: wire => [Action(wire)]);

    [OneTimeTearDown]
    public async Task Stop() => await _env.DisposeAsync();

    private static JsonObject Action(string wire) => new()
    {
        ["name"] = "ajo-deadline",
        ["version"] = "1",
        ["channel"] = new JsonObject
        {
            ["type"] = "webhook",
            ["method"] = "POST",
            ["url"] = wire + "/deadline/orders",
            ["body"] = new JsonObject { ["orderId"] = "{{ payload.orderId }}" },
            ["timeoutSeconds"] = 5,
        },
        ["ajo"] = new JsonObject
        {
            ["request"] = new JsonObject
            {
                ["orderId"] = new JsonObject { ["toBeMapped"] = true, ["dataType"] = "string", ["label"] = "orderId" },
                ["customerId"] = new JsonObject { ["toBeMapped"] = true, ["dataType"] = "string", ["label"] = "customerId" },
            },
            ["identity"] = new JsonObject { ["profile"] = "$.customerId" },
            ["deadlineMinutes"] = 1,
            ["statusWebhook"] = new JsonObject { ["url"] = wire + "/status", ["secret"] = "status-hmac" },
        },
    };

    [Test]
    public async Task A_request_that_times_out_is_reported_TimedOut_to_the_status_webhook()
    {
        _env.Wire.Given(Request.Create().WithPath("/deadline/orders").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(503));
        _env.Wire.Given(Request.Create().WithPath("/status").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200));

        using var response = await _env.Client.PostAsJsonAsync("/actions/ajo-deadline/ajo/invoke", new { orderId = "o-late", customerId = "c-late" });
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.That((int)response.StatusCode, Is.EqualTo(200), answer.ToJsonString());
        var requestId = answer["requestId"]!.GetValue<string>();

        var row = EndToEndEnvironment.Row(await _env.WaitForFinalAsync(requestId, TimeSpan.FromSeconds(60)));
        await Task.Delay(TimeSpan.FromSeconds(1)); // a second report, if one were sent, has time to arrive
        var reports = _env.RequestsTo("/status").Where(e => e.RequestMessage.Body!.Contains(requestId)).ToList();
        Assert.That(reports, Has.Count.EqualTo(1), "the ending is reported once");
        var report = reports[0].RequestMessage;
        var outcome = JsonNode.Parse(report.Body!)!;
        var timestamp = report.Headers!["X-Signature-Timestamp"].Single();
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(StatusSecret), Encoding.UTF8.GetBytes($"{timestamp}.{report.Body}")));
        Assert.Multiple(() =>
        {
            Assert.That(row.GetProperty("status").GetString(), Is.EqualTo("TimedOut"), row.ToString());
            Assert.That(row.GetProperty("callbackStatusCode").ToString(), Is.EqualTo("200"), "the webhook's answer is in the row");
            Assert.That(_env.RequestsTo("/deadline/orders"), Is.Not.Empty, $"the delivery was tried (and retried while the deadline allowed): {row}");
            Assert.That(outcome["status"]!.GetValue<string>(), Is.EqualTo("TimedOut"));
            Assert.That(outcome["reason"]!.GetValue<string>(), Does.Contain("deadline"));
            Assert.That(outcome["channel"]!["statusCode"]!.GetValue<int>(), Is.EqualTo(503), "the channel's last answer");
            Assert.That(outcome["deliveredAt"], Is.Null);
            Assert.That(outcome["identity"]!["profile"]!.GetValue<string>(), Is.EqualTo("c-late"));
            Assert.That(report.Headers!["X-Signature"].Single(), Is.EqualTo(expected));
        });
    }
}
