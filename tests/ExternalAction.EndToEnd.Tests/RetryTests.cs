using System.Text.Json.Nodes;
using ExternalAction.TestSupport;
using RabbitMQ.Client;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace ExternalAction.EndToEnd.Tests;

/// <summary>
/// Transient failures are retried durably (RabbitMQ wait queues) until the deadline; permanent ones stop at once;
/// a request that runs out of time ends TimedOut with its message in <c>_error</c> and no late callback.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class RetryTests
{
    private EndToEndEnvironment _env = null!;

    [OneTimeSetUp]
    public async Task Start() => _env = await EndToEndEnvironment.StartAsync();

    [OneTimeTearDown]
    public async Task Stop() => await _env.DisposeAsync();

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    private JsonObject LeadFor(string scenario, out string callbackPath)
    {
        callbackPath = $"/callback/{scenario}";
        var request = SampleRequests.Lead(Unique("tok"), _env.WireUrl + callbackPath);
        request["objectData"]!["flowStepContext"]!["scenario"] = scenario;
        return request;
    }

    private void Sequence(string path, params (int Status, string? RetryAfter)[] answers)
    {
        var scenario = Guid.NewGuid().ToString("N");
        for (var i = 0; i < answers.Length; i++)
        {
            var response = Response.Create().WithStatusCode(answers[i].Status).WithBodyAsJson(new { score = 55, tier = "warm" });
            if (answers[i].RetryAfter is { } after)
                response = response.WithHeader("Retry-After", after);
            var mapping = _env.Wire.Given(Request.Create().WithPath(path).UsingPost()).InScenario(scenario);
            mapping = i == 0 ? mapping : mapping.WhenStateIs($"s{i}");
            if (i < answers.Length - 1)
                mapping.WillSetStateTo($"s{i + 1}").RespondWith(response);
            else
                mapping.RespondWith(response);
        }
    }

    [Test]
    public async Task A_resubmission_with_another_body_and_callback_url_while_retrying_changes_nothing()
    {
        var scenario = Unique("resubmitted");
        Sequence($"/channel/{scenario}", (503, null), (503, null), (200, null));
        var first = LeadFor(scenario, out var callbackPath);
        var requestId = await _env.AcceptedAsync("lead-scoring", first);
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < until && (await _env.SupportViewAsync(requestId) is not { } v || EndToEndEnvironment.StatusOf(v) != "RetryScheduled"))
            await Task.Delay(50);

        // Same token and entity (so the same requestId), another body and another callbackUrl (finding 11).
        var second = (JsonObject)first.DeepClone();
        second["callbackUrl"] = _env.WireUrl + $"/callback/{scenario}-elsewhere";
        second["objectData"]!["objectContext"]!["leadData"]!["email"] = "attacker@example.com";
        var (status, body) = await _env.SubmitAsync("lead-scoring", second);
        Assert.That(status, Is.EqualTo(200));
        Assert.That(body.RootElement.GetProperty("requestId").GetString(), Is.EqualTo(requestId), "a duplicate is answered with the same requestId");

        var view = await _env.WaitForFinalAsync(requestId);
        Assert.That(EndToEndEnvironment.StatusOf(view), Is.EqualTo("CallbackSent"));
        var deliveries = _env.RequestsTo($"/channel/{scenario}");
        Assert.That(deliveries, Has.Count.EqualTo(3));
        Assert.That(deliveries.Select(d => JsonNode.Parse(d.RequestMessage.Body!)!["email"]!.GetValue<string>()), Is.All.EqualTo("jane@example.com"),
            "every delivery carries the first accepted body");
        Assert.That(_env.RequestsTo(callbackPath), Has.Count.EqualTo(1), "the callback goes to the first callbackUrl, once");
        Assert.That(_env.RequestsTo($"/callback/{scenario}-elsewhere"), Is.Empty, "never to the resubmission's");
        Assert.That(EndToEndEnvironment.Row(view).GetProperty("requestPayload").GetString(), Does.Contain("jane@example.com").And.Not.Contain("attacker"));
    }

    [Test]
    public async Task A_channel_503_twice_then_200_is_delivered_on_the_third_attempt()
    {
        var scenario = Unique("flaky");
        Sequence($"/channel/{scenario}", (503, null), (503, null), (200, null));
        var requestId = await _env.AcceptedAsync("lead-scoring", LeadFor(scenario, out var callbackPath));
        var view = await _env.WaitForFinalAsync(requestId);

        Assert.That(_env.RequestsTo($"/channel/{scenario}"), Has.Count.EqualTo(3));
        Assert.That(_env.RequestsTo(callbackPath), Has.Count.EqualTo(1));
        var row = EndToEndEnvironment.Row(view);
        Assert.That(row.GetProperty("status").GetString(), Is.EqualTo("CallbackSent"));
        Assert.That(row.GetProperty("attemptCount").GetInt32(), Is.EqualTo(3));
        Assert.That(row.GetProperty("deliveryStatusCode").GetInt32(), Is.EqualTo(200));
    }

    [Test]
    public async Task A_callback_500_then_200_is_called_back_again_without_a_second_delivery()
    {
        var scenario = Unique("cb500");
        _env.Wire.Given(Request.Create().WithPath($"/callback/{scenario}").UsingPost()).InScenario(scenario)
            .WillSetStateTo("ok").RespondWith(Response.Create().WithStatusCode(500).WithBodyAsJson(new { error = new { code = "INTERNAL_ERROR" } }));
        _env.Wire.Given(Request.Create().WithPath($"/callback/{scenario}").UsingPost()).InScenario(scenario).WhenStateIs("ok")
            .RespondWith(Response.Create().WithStatusCode(200));
        var requestId = await _env.AcceptedAsync("lead-scoring", LeadFor(scenario, out var callbackPath));
        var view = await _env.WaitForFinalAsync(requestId);

        Assert.That(_env.RequestsTo($"/channel/{scenario}"), Has.Count.EqualTo(1));
        Assert.That(_env.RequestsTo(callbackPath), Has.Count.EqualTo(2));
        Assert.That(EndToEndEnvironment.StatusOf(view), Is.EqualTo("CallbackSent"));
    }

    [Test]
    public async Task A_channel_429_with_retry_after_is_honoured_and_nothing_fails()
    {
        var scenario = Unique("busy");
        Sequence($"/channel/{scenario}", (429, "2"), (200, null));
        var requestId = await _env.AcceptedAsync("lead-scoring", LeadFor(scenario, out _));
        var view = await _env.WaitForFinalAsync(requestId);

        var attempts = _env.RequestsTo($"/channel/{scenario}");
        Assert.That(attempts, Has.Count.EqualTo(2));
        var gap = attempts[1].RequestMessage.DateTime - attempts[0].RequestMessage.DateTime;
        Assert.That(gap, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(1.9)), "the second attempt must wait for Retry-After");
        Assert.That(EndToEndEnvironment.StatusOf(view), Is.EqualTo("CallbackSent"));
    }

    [Test]
    public async Task A_timed_out_callback_refused_on_retry_as_a_used_token_is_recorded_as_unconfirmed()
    {
        var scenario = Unique("unknown");
        // First attempt: the platform takes longer than the callback timeout (5 s) — did it arrive? Then the token is refused as used.
        _env.Wire.Given(Request.Create().WithPath($"/callback/{scenario}").UsingPost()).InScenario(scenario).WillSetStateTo("used")
            .RespondWith(Response.Create().WithStatusCode(200).WithDelay(TimeSpan.FromSeconds(7)));
        _env.Wire.Given(Request.Create().WithPath($"/callback/{scenario}").UsingPost()).InScenario(scenario).WhenStateIs("used")
            .RespondWith(Response.Create().WithStatusCode(400).WithBodyAsJson(new { error = new { code = "INVALID_CALLBACK_TOKEN", message = "Invalid token" } }));
        var requestId = await _env.AcceptedAsync("lead-scoring", LeadFor(scenario, out var callbackPath));
        var view = await _env.WaitForFinalAsync(requestId, TimeSpan.FromSeconds(45));

        var row = EndToEndEnvironment.Row(view);
        Assert.That(row.GetProperty("status").GetString(), Is.EqualTo("CallbackUnconfirmed"));
        Assert.That(row.GetProperty("callbackResult").GetString(), Is.EqualTo("delivered-unconfirmed"));
        await Task.Delay(TimeSpan.FromSeconds(3)); // WireMock logs the slow first attempt only once its delay is over
        Assert.That(_env.RequestsTo(callbackPath), Has.Count.EqualTo(2));
    }

    [Test]
    public async Task A_channel_400_becomes_a_failure_callback_without_retry()
    {
        var scenario = Unique("bad");
        Sequence($"/channel/{scenario}", (400, null));
        var requestId = await _env.AcceptedAsync("lead-scoring", LeadFor(scenario, out var callbackPath));
        var view = await _env.WaitForFinalAsync(requestId);

        Assert.That(_env.RequestsTo($"/channel/{scenario}"), Has.Count.EqualTo(1));
        var body = JsonNode.Parse(_env.RequestsTo(callbackPath).Single().RequestMessage.Body!)!;
        Assert.That(await AdobeSchemas.ValidateAsync("CallbackRequest", body.ToJsonString()), Is.Empty);
        var activity = body["objectData"]![0]!["activityData"]!;
        Assert.That(activity["success"]!.GetValue<bool>(), Is.False);
        Assert.That(activity["errorCode"]!.GetValue<string>(), Is.EqualTo("EXTERNAL_API_ERROR"));
        Assert.That(activity["reason"]!.GetValue<string>(), Does.Contain("400"));
        Assert.That(body["objectData"]![0]!["leadData"]!["id"]!.GetValue<long>(), Is.EqualTo(12345));
        var row = EndToEndEnvironment.Row(view);
        Assert.That(row.GetProperty("status").GetString(), Is.EqualTo("CallbackSent"));
        Assert.That(row.GetProperty("outcome").GetString(), Is.EqualTo("BusinessFailure"));
    }
}

/// <summary>Deadlines: the Api's clock is set back so a one-minute timeout runs out within seconds.</summary>
[TestFixture]
[NonParallelizable]
public sealed class DeadlineTests
{
    private EndToEndEnvironment _env = null!;

    [OneTimeSetUp]
    public async Task Start() => _env = await EndToEndEnvironment.StartAsync(apiClockOffset: TimeSpan.FromSeconds(-55));

    [OneTimeTearDown]
    public async Task Stop() => await _env.DisposeAsync();

    [Test]
    public async Task A_channel_that_keeps_failing_ends_TimedOut_with_no_callback_and_the_message_in_error()
    {
        var scenario = $"down-{Guid.NewGuid():N}";
        _env.Wire.Given(Request.Create().WithPath($"/channel/{scenario}").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(503));
        var callbackPath = $"/callback/{scenario}";
        var request = SampleRequests.Lead($"tok-{scenario}", _env.WireUrl + callbackPath);
        request["objectData"]!["flowStepContext"]!["scenario"] = scenario;
        request["actionConfig"]!["timeout"] = 1; // received 55 s "ago": 5 s left

        var requestId = await _env.AcceptedAsync("lead-scoring", request);
        var view = await _env.WaitForFinalAsync(requestId, TimeSpan.FromSeconds(30));

        var row = EndToEndEnvironment.Row(view);
        Assert.That(row.GetProperty("status").GetString(), Is.EqualTo("TimedOut"));
        Assert.That(row.GetProperty("lastError").GetString(), Does.Contain("deadline"));
        Assert.That(_env.RequestsTo($"/channel/{scenario}").Count, Is.GreaterThanOrEqualTo(2), "it was retried until the deadline");
        await Task.Delay(2000);
        Assert.That(_env.RequestsTo(callbackPath), Is.Empty, "no callback after the deadline");

        var factory = new ConnectionFactory { Uri = new Uri(_env.VirtualHost.Url) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        BasicGetResult? found = null;
        for (var i = 0; i < 50 && found is null; i++)
        {
            var got = await channel.BasicGetAsync("externalaction-process_error", autoAck: false);
            if (got is null)
                break;
            if (System.Text.Encoding.UTF8.GetString(got.Body.Span).Contains(requestId, StringComparison.Ordinal))
                found = got;
        }
        Assert.That(found, Is.Not.Null, "the message is in the _error queue");
        var reason = System.Text.Encoding.UTF8.GetString((byte[])found!.BasicProperties.Headers!["MT-Fault-Message"]!);
        Assert.That(reason, Does.Contain("TimedOut"));
    }
}
