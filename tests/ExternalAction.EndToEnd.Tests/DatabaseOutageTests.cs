using System.Diagnostics;
using ExternalAction.TestSupport;
using RabbitMQ.Client;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace ExternalAction.EndToEnd.Tests;

/// <summary>
/// Drill 3 in a test: the database stops for a few seconds while requests are being delivered. Intake keeps accepting
/// (it never touches the database), the Processor waits for the store instead of failing, and once the database is
/// back every request ends CallbackSent with exactly one delivery and one callback, and nothing is in <c>_error</c>.
/// The database is a PostgreSQL server of this suite's own (port 5447), so no other suite loses its database.
/// Two ways through: the outage is shorter than an attempt's wait (attempts wait, including ones that have already
/// delivered), or longer (messages go back through the wait queues; sent while the database is down, so none has
/// delivered before its attempt gave up, and exactly-once still holds).
/// </summary>
[TestFixture(20, 12, TestName = "{m} (outage shorter than the wait)")]
[TestFixture(1, 0, TestName = "{m} (outage longer than the wait: redelivered)")]
[NonParallelizable]
public sealed class DatabaseOutageTests(int storeWaitSeconds, int sentBeforeTheOutage)
{
    private static readonly LocalPostgres Server = new(5447);
    private EndToEndEnvironment _env = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        await Server.StartAsync();
        _env = await EndToEndEnvironment.StartAsync(postgresServer: Server.ServerConnectionString, tweak: s =>
        {
            s["ExternalAction:Processor:StoreOutageWaitSeconds"] = storeWaitSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            s["ExternalAction:Processor:StoreOutageRedeliverySeconds"] = "1";
        });
        // Deliveries take a second, so some are in flight (delivered, not yet recorded) when the database goes away.
        _env.Wire.Given(Request.Create().WithPath("/channel/dbout-*").UsingPost()).AtPriority(10)
            .RespondWith(Response.Create().WithStatusCode(200).WithDelay(TimeSpan.FromSeconds(1)).WithBodyAsJson(new { score = 91, tier = "hot" }));
        // Warm both hosts up (first publish, first claim), so the timings below are about the outage.
        var (warm, _) = await SubmitAsync(TimeSpan.FromSeconds(60));
        Assert.That(await FinalStatusAsync(warm), Is.EqualTo("CallbackSent"));
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        try
        {
            await Server.StartAsync(); // the database must be there to drop the test's database
        }
        finally
        {
            if (_env is not null)
                await _env.DisposeAsync();
            await Server.StopAsync();
        }
    }

    private async Task<(string Id, string Scenario)> SubmitAsync(TimeSpan? within = null)
    {
        var scenario = $"dbout-{Guid.NewGuid():N}";
        var request = SampleRequests.Lead($"tok-{scenario}", $"{_env.WireUrl}/callback/{scenario}");
        request["objectData"]!["flowStepContext"]!["scenario"] = scenario;
        var timer = Stopwatch.StartNew();
        var id = await _env.AcceptedAsync("lead-scoring", request);
        Assert.That(timer.Elapsed, Is.LessThan(within ?? TimeSpan.FromSeconds(2)), "intake answers without the database");
        return (id, scenario);
    }

    [Test]
    public async Task A_database_restart_mid_run_loses_nothing_fails_nothing_and_delivers_each_request_once()
    {
        var requests = new List<(string Id, string Scenario)>();
        for (var i = 0; i < sentBeforeTheOutage; i++)
            requests.Add(await SubmitAsync());
        if (sentBeforeTheOutage > 0)
            await Waiting.UntilAsync(() => _env.RequestsStartingWith("/channel/dbout-").Count >= 1, TimeSpan.FromSeconds(60), () => "a delivery to start");

        await Server.StopAsync();
        var down = Stopwatch.StartNew();
        for (var i = 0; i < 12; i++)
            requests.Add(await SubmitAsync());
        // Down for a few seconds, and long enough that the Processor ran into it.
        await Waiting.UntilAsync(() => down.Elapsed > TimeSpan.FromSeconds(4) && _env.ProcessorLogs.All.Contains("The status store is unavailable", StringComparison.Ordinal),
            TimeSpan.FromSeconds(60), () => "the Processor to notice the outage");
        await Server.StartAsync();
        TestContext.Out.WriteLine($"database down for {down.Elapsed.TotalSeconds:0.0} s");

        foreach (var (id, _) in requests)
            Assert.That(await FinalStatusAsync(id), Is.EqualTo("CallbackSent"), id);
        Assert.Multiple(() =>
        {
            foreach (var (id, scenario) in requests)
            {
                Assert.That(_env.RequestsTo($"/channel/{scenario}"), Has.Count.EqualTo(1), $"{id}: delivered exactly once");
                Assert.That(_env.RequestsTo($"/callback/{scenario}"), Has.Count.EqualTo(1), $"{id}: called back exactly once");
            }
        });
        Assert.That(await ErrorQueueDepthAsync(), Is.Zero, "nothing was faulted to externalaction-process_error");
        Assert.That(_env.ProcessorLogs.Lines.Count(l => l.Contains("The status store is unavailable", StringComparison.Ordinal)), Is.EqualTo(1), "said once per outage");
        if (storeWaitSeconds < 4)
            Assert.That(_env.ProcessorLogs.All, Does.Contain("the status store is still unavailable"), "messages went back through the wait queues");
    }

    /// <summary>
    /// The request's final status, read through support. The Api's own pooled connections died with the server, so a
    /// support read right after the restart may answer 500 once per dead connection; those reads are repeated.
    /// </summary>
    private async Task<string> FinalStatusAsync(string id)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(180);
        string? last = null;
        while (DateTime.UtcNow < until)
        {
            try
            {
                if (await _env.SupportViewAsync(id) is { } view && Store.RequestStatuses.IsFinal(last = EndToEndEnvironment.StatusOf(view)))
                    return last;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100);
        }
        Assert.Fail($"Request {id} did not reach a final state; last status {last}.");
        return last!;
    }


    private async Task<uint> ErrorQueueDepthAsync()
    {
        var factory = new ConnectionFactory { Uri = new Uri(_env.VirtualHost.Url) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            return (await channel.QueueDeclarePassiveAsync("externalaction-process_error")).MessageCount;
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            return 0; // never declared: nothing ever failed
        }
    }
}
