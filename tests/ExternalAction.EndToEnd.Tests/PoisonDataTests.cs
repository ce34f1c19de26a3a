using System.Text.Json.Nodes;
using ExternalAction.TestSupport;

namespace ExternalAction.EndToEnd.Tests;

/// <summary>
/// Request data that can never make a valid channel request (issue 8 findings 2 and 8) ends at once, through the real
/// broker, with a failure callback and the reason in the row: never re-claimed until the deadline, never sent.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class PoisonDataTests
{
    private EndToEndEnvironment _env = null!;

    [OneTimeSetUp]
    public async Task Start() => _env = await EndToEndEnvironment.StartAsync();

    [OneTimeTearDown]
    public async Task Stop() => await _env.DisposeAsync();

    [TestCase("Q4\r\nX-Smuggled: 1\r\n\r\nPOST /steal HTTP/1.1", "line break", TestName = "A_journey_name_with_CRLF_in_a_header_template_ends_with_a_failure_callback")]
    [TestCase("Q4 Übersicht", "non-ASCII", TestName = "A_journey_name_with_non_ASCII_in_a_header_template_ends_with_a_failure_callback_not_retries")]
    public async Task Unsendable_header_data_ends_with_a_failure_callback_at_once(string journeyName, string problem)
    {
        var scenario = $"poison-{Guid.NewGuid():N}";
        var callbackPath = $"/callback/{scenario}";
        var request = SampleRequests.Lead($"tok-{scenario}", _env.WireUrl + callbackPath);
        request["context"]!["journey"]!["name"] = journeyName;
        request["objectData"]!["flowStepContext"]!["scenario"] = scenario;

        var requestId = await _env.AcceptedAsync("lead-scoring", request);
        var view = await _env.WaitForFinalAsync(requestId, TimeSpan.FromSeconds(20));

        Assert.That(_env.RequestsTo($"/channel/{scenario}"), Is.Empty, "nothing was sent to the channel");
        Assert.That(_env.RequestsStartingWith("/steal"), Is.Empty, "no smuggled request");
        var row = EndToEndEnvironment.Row(view);
        Assert.That(row.GetProperty("status").GetString(), Is.EqualTo("CallbackSent"));
        Assert.That(row.GetProperty("outcome").GetString(), Is.EqualTo("BusinessFailure"));
        Assert.That(row.GetProperty("attemptCount").GetInt32(), Is.EqualTo(1), "one attempt, not retried to the deadline");
        Assert.That(row.GetProperty("lastError").GetString(), Does.Contain("X-Journey").And.Contain(problem));
        var body = JsonNode.Parse(_env.RequestsTo(callbackPath).Single().RequestMessage.Body!)!;
        Assert.That(await AdobeSchemas.ValidateAsync("CallbackRequest", body.ToJsonString()), Is.Empty);
        var activity = body["objectData"]![0]!["activityData"]!;
        Assert.That(activity["success"]!.GetValue<bool>(), Is.False);
        Assert.That(activity["reason"]!.GetValue<string>(), Does.Contain("X-Journey").And.Not.Contain("Smuggled"));
    }
}
