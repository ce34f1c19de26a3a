using System.Data.Common;
using ExternalAction.Processor.Processing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ExternalAction.Processor.Tests.Processing;

/// <summary>What <see cref="StoreOutage"/> waits out, what it gives up on, and what it leaves alone.</summary>
[TestFixture]
public sealed class StoreOutageTests
{
    private sealed class Outage(bool transient = true, string? state = null) : DbException("database unavailable")
    {
        public override bool IsTransient => transient;
        public override string? SqlState => state;
    }

    private static StoreOutage Create(double budgetSeconds) =>
        new(Options.Create(new ProcessorOptions { StoreOutageWaitSeconds = budgetSeconds }), TimeProvider.System, NullLogger<StoreOutage>.Instance);

    [Test]
    public async Task A_short_outage_is_waited_out_and_the_call_succeeds()
    {
        var outage = Create(20);
        var calls = 0;
        var result = await outage.RunAsync(_ => ++calls < 4 ? throw new Outage() : Task.FromResult(42), CancellationToken.None);
        Assert.That(result, Is.EqualTo(42));
        Assert.That(calls, Is.EqualTo(4));
    }

    [Test]
    public void An_outage_longer_than_the_budget_ends_in_StoreUnavailableException()
    {
        var outage = Create(1);
        var started = DateTime.UtcNow;
        Assert.ThrowsAsync<StoreUnavailableException>(() => outage.RunAsync<int>(_ => throw new Outage(), CancellationToken.None));
        Assert.That(DateTime.UtcNow - started, Is.LessThan(TimeSpan.FromSeconds(10)));
    }

    [Test]
    public void A_call_hanging_past_the_budget_ends_in_StoreUnavailableException()
    {
        var outage = Create(1);
        var e = Assert.ThrowsAsync<StoreUnavailableException>(() => outage.RunAsync(async ct =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return 1;
        }, CancellationToken.None));
        Assert.That(e!.GetBaseException(), Is.SameAs(e));
    }

    [Test]
    public void A_connection_cut_mid_call_that_surfaces_as_a_cancellation_after_the_budget_is_still_an_outage()
    {
        var outage = Create(1);
        Assert.ThrowsAsync<StoreUnavailableException>(() => outage.RunAsync<int>(async ct =>
        {
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException e)
            {
                throw new Outage(transient: true, state: null) { Source = e.Message };
            }
            return 1;
        }, CancellationToken.None));
    }

    [Test]
    public void A_database_that_refuses_connections_for_longer_than_the_budget_ends_in_StoreUnavailableException()
    {
        var outage = Create(1);
        // Nothing listens on port 9 of loopback: every connection attempt is refused, as while a server is down.
        var refused = "Host=127.0.0.1;Port=9;Username=postgres;Password=postgres;Database=postgres;Pooling=false;Timeout=2";
        var e = Assert.ThrowsAsync<StoreUnavailableException>(() => outage.RunAsync(async ct =>
        {
            await using var connection = new Npgsql.NpgsqlConnection(refused);
            await connection.OpenAsync(ct);
            return 1;
        }, CancellationToken.None));
        Assert.That(e!.GetBaseException(), Is.SameAs(e), "no cancellation inside for MassTransit to mistake it for (see StoreUnavailableException)");
    }

    [TestCase("57P01")]
    [TestCase("57P03")]
    [TestCase("08006")]
    [TestCase("53300")]
    public void Shutdown_startup_connection_and_resource_states_are_outages(string state) =>
        Assert.That(StoreOutage.IsOutage(new Outage(transient: false, state: state)), Is.True);

    [Test]
    public async Task Errors_that_are_not_outages_pass_through_at_once()
    {
        var outage = Create(20);
        var calls = 0;
        Assert.ThrowsAsync<Outage>(() => outage.RunAsync<int>(_ =>
        {
            calls++;
            throw new Outage(transient: false, state: "23505");
        }, CancellationToken.None));
        Assert.ThrowsAsync<InvalidOperationException>(() => outage.RunAsync<int>(_ => throw new InvalidOperationException("a bug"), CancellationToken.None));
        Assert.That(calls, Is.EqualTo(1), "a unique violation is not retried");
        Assert.That(await outage.RunAsync(_ => Task.FromResult("fine"), CancellationToken.None), Is.EqualTo("fine"));
    }

    [Test]
    public void The_callers_cancellation_is_not_an_outage()
    {
        var outage = Create(20);
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        Assert.CatchAsync<OperationCanceledException>(() => outage.RunAsync<int>(async ct =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return 1;
        }, stop.Token));
    }
}
