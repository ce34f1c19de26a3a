using ExternalAction.TestSupport;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace ExternalAction.EndToEnd.Tests;

/// <summary>
/// The broker connection goes away (a node stopped, a network cut: here <c>rabbitmqctl close_all_connections</c> on
/// the environment's virtual host) while an attempt is inside its callback. MassTransit cancels the consume context of
/// every message in flight then; an attempt that has started a delivery or a report finishes it with its own timeouts
/// and records the outcome, so the redelivered copy finds the request final and nothing is sent twice.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class ConnectionLossTests
{
    private EndToEndEnvironment _env = null!;

    [OneTimeSetUp]
    public async Task Start() => _env = await EndToEndEnvironment.StartAsync();

    [OneTimeTearDown]
    public async Task Stop() => await _env.DisposeAsync();

    [Test]
    public async Task A_callback_in_flight_when_the_broker_connection_drops_is_finished_and_sent_once()
    {
        var scenario = $"conn-loss-{Guid.NewGuid():N}";
        var callbackPath = $"/callback/{scenario}";
        // The platform takes 3 s to answer (the callback timeout is 5 s): the connection drops in the middle.
        _env.Wire.Given(Request.Create().WithPath(callbackPath).UsingPost()).AtPriority(1)
            .RespondWith(Response.Create().WithStatusCode(200).WithDelay(TimeSpan.FromSeconds(3))
                .WithBodyAsJson(new { status = "accepted", message = "Callback processed successfully" }));
        var request = SampleRequests.Lead($"tok-{scenario}", _env.WireUrl + callbackPath);
        request["objectData"]!["flowStepContext"]!["scenario"] = scenario;
        var requestId = await _env.AcceptedAsync("lead-scoring", request);

        await Waiting.UntilAsync(() => _env.RequestsTo($"/channel/{scenario}").Count == 1, TimeSpan.FromSeconds(30), () => "the delivery");
        await Task.Delay(TimeSpan.FromSeconds(1)); // the callback is on its way (the IMS token is answered at once)
        Assert.That(_env.RequestsTo(callbackPath), Is.Empty, "the callback has not been answered yet");
        await RabbitVirtualHost.CtlAsync("close_all_connections", "-p", _env.VirtualHost.Name, "connection-loss test");

        var final = await _env.WaitForFinalAsync(requestId, TimeSpan.FromSeconds(60));
        await Task.Delay(TimeSpan.FromSeconds(2)); // a second copy, if one were sent, has time to arrive
        var row = EndToEndEnvironment.Row(final);
        Assert.Multiple(() =>
        {
            Assert.That(EndToEndEnvironment.StatusOf(final), Is.EqualTo("CallbackSent"));
            Assert.That(row.GetProperty("attemptCount").GetInt32(), Is.EqualTo(1), "the attempt the connection loss interrupted recorded the outcome itself");
            Assert.That(_env.RequestsTo(callbackPath), Has.Count.EqualTo(1), "exactly one callback");
            Assert.That(_env.RequestsTo($"/channel/{scenario}"), Has.Count.EqualTo(1), "exactly one delivery");
        });
    }
}
