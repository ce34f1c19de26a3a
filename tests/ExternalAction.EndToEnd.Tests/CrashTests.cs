using ExternalAction.TestSupport;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace ExternalAction.EndToEnd.Tests;

/// <summary>A Processor that dies between delivery and callback: after a restart there is exactly one callback and no second delivery.</summary>
[TestFixture]
[NonParallelizable]
public sealed class CrashTests
{
    private EndToEndEnvironment _env = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _env = await EndToEndEnvironment.StartAsync(processorProcess: true);
        // The first IMS token request hangs: the Processor is stuck after delivering, before calling back.
        _env.Wire.Given(Request.Create().WithPath("/ims/token").UsingPost()).InScenario("ims").AtPriority(1)
            .WillSetStateTo("fast")
            .RespondWith(Response.Create().WithStatusCode(200).WithDelay(TimeSpan.FromSeconds(30))
                .WithBodyAsJson(new { access_token = EndToEndEnvironment.ImsToken, token_type = "bearer", expires_in = 86399 }));
    }

    [OneTimeTearDown]
    public async Task Stop() => await _env.DisposeAsync();

    [Test]
    public async Task A_processor_killed_after_delivery_calls_back_exactly_once_after_restart()
    {
        var scenario = $"crash-{Guid.NewGuid():N}";
        var callbackPath = $"/callback/{scenario}";
        var request = SampleRequests.Lead($"tok-{scenario}", _env.WireUrl + callbackPath);
        request["objectData"]!["flowStepContext"]!["scenario"] = scenario;
        var requestId = await _env.AcceptedAsync("lead-scoring", request);

        var until = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < until)
        {
            var view = await _env.SupportViewAsync(requestId);
            if (view is { } v && EndToEndEnvironment.Row(v).TryGetProperty("deliveredAt", out var at) && at.ValueKind == System.Text.Json.JsonValueKind.String)
                break;
            await Task.Delay(50);
        }
        Assert.That(_env.RequestsTo($"/channel/{scenario}"), Has.Count.EqualTo(1), "delivered before the crash");
        Assert.That(_env.RequestsTo(callbackPath), Is.Empty, "no callback before the crash");

        await _env.KillProcessorProcessAsync();
        await _env.StartProcessorProcessAsync();

        var final = await _env.WaitForFinalAsync(requestId, TimeSpan.FromSeconds(60));
        await Task.Delay(1500);
        Assert.That(EndToEndEnvironment.StatusOf(final), Is.EqualTo("CallbackSent"));
        Assert.That(_env.RequestsTo($"/channel/{scenario}"), Has.Count.EqualTo(1), "no second delivery");
        Assert.That(_env.RequestsTo(callbackPath), Has.Count.EqualTo(1), "exactly one callback");
    }
}
