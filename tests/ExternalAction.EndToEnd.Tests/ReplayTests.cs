using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ExternalAction.TestSupport;
using RabbitMQ.Client;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace ExternalAction.EndToEnd.Tests;

/// <summary>
/// An operator's replay on the real broker and database: a dead-lettered request replayed once is delivered and called
/// back exactly once more (a kept callback is resent without delivering again); a request that ended with its outcome
/// reported, one whose dead letter is gone, and a viewer's replay are refused with a reason. The Api's clock is set back
/// so a one-minute timeout runs out within seconds.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class ReplayTests
{
    private EndToEndEnvironment _env = null!;

    [OneTimeSetUp]
    public async Task Start() => _env = await EndToEndEnvironment.StartAsync(apiClockOffset: TimeSpan.FromSeconds(-55));

    [OneTimeTearDown]
    public async Task Stop() => await _env.DisposeAsync();

    /// <summary>A lead for <paramref name="scenario"/> with one minute of timeout, received 55 s "ago": 5 s left.</summary>
    private JsonObject Lead(string scenario, out string callbackPath)
    {
        callbackPath = $"/callback/{scenario}";
        var request = SampleRequests.Lead($"tok-{scenario}", _env.WireUrl + callbackPath);
        request["objectData"]!["flowStepContext"]!["scenario"] = scenario;
        request["actionConfig"]!["timeout"] = 1;
        return request;
    }

    private void Answer(string path, int status, int priority) =>
        _env.Wire.Given(Request.Create().WithPath(path).UsingPost()).AtPriority(priority)
            .RespondWith(Response.Create().WithStatusCode(status).WithBodyAsJson(new { score = 91, tier = "hot" }));

    private async Task<(HttpStatusCode Status, JsonElement Body)> ReplayAsync(string requestId, string key, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/support/requests/{requestId}/replay") { Content = JsonContent.Create(body) };
        request.Headers.Add("X-Support-Key", key);
        using var response = await _env.Client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    private async Task<JsonElement> WaitForAsync(string requestId, string status)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        JsonElement? last = null;
        while (DateTime.UtcNow < until)
        {
            last = await _env.SupportViewAsync(requestId);
            if (last is { } view && EndToEndEnvironment.StatusOf(view) == status)
                return view;
            await Task.Delay(100);
        }
        Assert.Fail($"Request {requestId} did not reach {status}; last view: {last}");
        return default;
    }

    [Test]
    public async Task A_timed_out_request_replayed_once_is_delivered_and_called_back_exactly_once()
    {
        var scenario = $"down-{Guid.NewGuid():N}";
        Answer($"/channel/{scenario}", 503, priority: 10);
        var requestId = await _env.AcceptedAsync("lead-scoring", Lead(scenario, out var callbackPath));
        await WaitForAsync(requestId, "TimedOut");
        var failedDeliveries = _env.RequestsTo($"/channel/{scenario}").Count;
        Assert.That(_env.RequestsTo(callbackPath), Is.Empty);

        Answer($"/channel/{scenario}", 200, priority: 1); // the channel is back
        var (status, body) = await ReplayAsync(requestId, EndToEndEnvironment.OperatorKey, new { reason = "channel fixed (INC-42)" });
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        Assert.That(body.GetProperty("replayed").GetBoolean(), Is.True);

        var view = await WaitForAsync(requestId, "CallbackSent");
        await Task.Delay(1500); // room for a duplicate delivery or callback to show up
        Assert.That(_env.RequestsTo($"/channel/{scenario}"), Has.Count.EqualTo(failedDeliveries + 1), "exactly one delivery after the replay");
        Assert.That(_env.RequestsTo(callbackPath), Has.Count.EqualTo(1), "exactly one callback");
        var replay = view.GetProperty("transitions").EnumerateArray().Single(t => t.GetProperty("toStatus").GetString() == "Received" && t.TryGetProperty("fromStatus", out var from) && from.GetString() == "TimedOut");
        Assert.That(replay.GetProperty("detail").GetString(), Does.Contain("replayed by alice: channel fixed (INC-42)"));
        Assert.That(EndToEndEnvironment.Row(view).GetProperty("deadlineAt").GetDateTimeOffset(), Is.GreaterThan(DateTimeOffset.UtcNow.AddSeconds(-10)));
        Assert.That(await ErrorQueueHoldsAsync(requestId), Is.False, "the dead letter was taken off the error queue");
    }

    [Test]
    public async Task A_request_whose_callback_was_refused_is_replayed_by_resending_the_kept_callback_without_delivering_again()
    {
        var scenario = $"refused-{Guid.NewGuid():N}";
        var request = Lead(scenario, out var callbackPath);
        request["actionConfig"]!["timeout"] = 60;
        Answer(callbackPath, 400, priority: 10);
        var requestId = await _env.AcceptedAsync("lead-scoring", request);
        await WaitForAsync(requestId, "Failed");
        Assert.That(_env.RequestsTo($"/channel/{scenario}"), Has.Count.EqualTo(1));

        Answer(callbackPath, 200, priority: 1);
        var (status, body) = await ReplayAsync(requestId, EndToEndEnvironment.OperatorKey, new { reason = "platform fixed" });
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToString());

        await WaitForAsync(requestId, "CallbackSent");
        await Task.Delay(1500);
        Assert.That(_env.RequestsTo($"/channel/{scenario}"), Has.Count.EqualTo(1), "the channel got it once: the replay did not deliver again");
        var callbacks = _env.RequestsTo(callbackPath);
        Assert.That(callbacks, Has.Count.EqualTo(2), "the refused callback and the replayed one");
        Assert.That(callbacks[1].RequestMessage.Body, Is.EqualTo(callbacks[0].RequestMessage.Body), "the kept callback body is resent as it was");
    }

    [Test]
    public async Task A_replay_of_a_request_that_ended_with_its_callback_accepted_is_refused_with_the_reason()
    {
        var scenario = $"ok-{Guid.NewGuid():N}";
        var request = Lead(scenario, out var callbackPath);
        request["actionConfig"]!["timeout"] = 60;
        var requestId = await _env.AcceptedAsync("lead-scoring", request);
        await WaitForAsync(requestId, "CallbackSent");

        var (status, body) = await ReplayAsync(requestId, EndToEndEnvironment.OperatorKey, new { reason = "again" });

        Assert.That(status, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(body.GetProperty("error").GetProperty("message").GetString(), Does.Contain("CallbackSent").And.Contain("only a Failed or TimedOut request is replayed"));
        Assert.That(_env.RequestsTo(callbackPath), Has.Count.EqualTo(1));
        Assert.That(EndToEndEnvironment.StatusOf((await _env.SupportViewAsync(requestId))!.Value), Is.EqualTo("CallbackSent"));
    }

    [Test]
    public async Task A_replay_whose_dead_letter_is_gone_is_refused_and_leaves_the_row_as_it_was()
    {
        var scenario = $"gone-{Guid.NewGuid():N}";
        Answer($"/channel/{scenario}", 503, priority: 10);
        var requestId = await _env.AcceptedAsync("lead-scoring", Lead(scenario, out _));
        await WaitForAsync(requestId, "TimedOut");
        await WaitForDeadLetterAsync(requestId);
        await PurgeErrorQueueAsync();

        var (status, body) = await ReplayAsync(requestId, EndToEndEnvironment.OperatorKey, new { reason = "try" });

        Assert.That(status, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(body.GetProperty("error").GetProperty("message").GetString(),
            Does.Contain("not in externalaction-process_error").And.Contain("masked and holds no callback token"));
        Assert.That(EndToEndEnvironment.StatusOf((await _env.SupportViewAsync(requestId))!.Value), Is.EqualTo("TimedOut"));
    }

    [Test]
    public async Task A_viewer_cannot_replay_and_a_replay_needs_a_reason()
    {
        var (viewer, _) = await ReplayAsync("any-request", EndToEndEnvironment.SupportKey, new { reason = "x" });
        Assert.That(viewer, Is.EqualTo(HttpStatusCode.Forbidden));
        var (noReason, body) = await ReplayAsync("any-request", EndToEndEnvironment.OperatorKey, new { redeliver = false });
        Assert.That(noReason, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(body.ToString(), Does.Contain("reason"));
    }

    [Test]
    public async Task Replay_all_matching_a_filter_takes_the_confirmed_count_and_replays_each_once()
    {
        var journey = $"journey-{Guid.NewGuid():N}"[..24];
        var ids = new List<string>();
        var scenarios = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            var scenario = $"bulk-{Guid.NewGuid():N}";
            scenarios.Add(scenario);
            Answer($"/channel/{scenario}", 503, priority: 10);
            var request = Lead(scenario, out _);
            request["context"]!["journey"]!["id"] = journey;
            ids.Add(await _env.AcceptedAsync("lead-scoring", request));
        }
        foreach (var id in ids)
            await WaitForAsync(id, "TimedOut");
        foreach (var scenario in scenarios)
            Answer($"/channel/{scenario}", 200, priority: 1);

        using var preview = new HttpRequestMessage(HttpMethod.Get, $"/support/replays?journeyId={journey}");
        preview.Headers.Add("X-Support-Key", EndToEndEnvironment.OperatorKey);
        using var previewed = await _env.Client.SendAsync(preview);
        var count = (await previewed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("count").GetInt32();
        Assert.That(count, Is.EqualTo(2));

        async Task<(HttpStatusCode, JsonElement)> ReplayAll(int expected)
        {
            using var all = new HttpRequestMessage(HttpMethod.Post, $"/support/replays?journeyId={journey}")
            {
                Content = JsonContent.Create(new { reason = "bulk after outage", expectedCount = expected }),
            };
            all.Headers.Add("X-Support-Key", EndToEndEnvironment.OperatorKey);
            using var response = await _env.Client.SendAsync(all);
            return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
        }
        var (stale, _) = await ReplayAll(3);
        Assert.That(stale, Is.EqualTo(HttpStatusCode.Conflict), "a count that is not the current one is not a confirmation");
        var (status, body) = await ReplayAll(count);
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        Assert.That(body.GetProperty("replayed").GetInt32(), Is.EqualTo(2));

        foreach (var id in ids)
            await WaitForAsync(id, "CallbackSent");
    }

    /// <summary>The message reaches the error queue a moment after the row ends (the consumer records, then faults).</summary>
    private async Task WaitForDeadLetterAsync(string requestId)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!await ErrorQueueHoldsAsync(requestId))
        {
            if (DateTime.UtcNow > until)
                Assert.Fail($"No dead letter of {requestId} in externalaction-process_error.");
            await Task.Delay(100);
        }
    }

    private async Task<bool> ErrorQueueHoldsAsync(string requestId)
    {
        try
        {
            return await ErrorQueueReadAsync(requestId);
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            return false; // not declared yet: nothing has failed so far
        }
    }

    private async Task<bool> ErrorQueueReadAsync(string requestId)
    {
        var factory = new ConnectionFactory { Uri = new Uri(_env.VirtualHost.Url) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var found = false;
        for (var i = 0; i < 500; i++)
        {
            var got = await channel.BasicGetAsync("externalaction-process_error", autoAck: false);
            if (got is null)
                break;
            found |= System.Text.Encoding.UTF8.GetString(got.Body.Span).Contains(requestId, StringComparison.Ordinal);
        }
        await channel.CloseAsync(); // everything read goes back
        return found;
    }

    private async Task PurgeErrorQueueAsync()
    {
        var factory = new ConnectionFactory { Uri = new Uri(_env.VirtualHost.Url) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueuePurgeAsync("externalaction-process_error");
    }
}
