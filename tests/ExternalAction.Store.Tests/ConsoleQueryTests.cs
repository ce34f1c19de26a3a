namespace ExternalAction.Store.Tests;

/// <summary>
/// The console's and the alerts' reads on every provider: counts by status under the same filters as the list (the
/// journey matching its id or its name), unfinished requests close to their deadline, requests dead-lettered since a
/// time, and the dashboard's activity rows. Each test has a database of its own, as some counts are table-wide.
/// </summary>
[TestFixtureSource(typeof(StatusStoreTests), nameof(StatusStoreTests.Providers))]
public sealed class ConsoleQueryTests(string provider)
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    private static NewRequest Row(string journeyName, int minutesLeft, DateTimeOffset? received = null) => new()
    {
        RequestId = $"cq-{Guid.NewGuid():N}", ActionName = "console", ActionVersion = "1", EntityType = "lead", LeadId = "12345",
        JourneyId = "journey-q4", JourneyName = journeyName, ReceivedAt = received ?? T0, DeadlineAt = (received ?? T0).AddMinutes(minutesLeft), RequestPayload = "{}",
    };

    /// <summary>Claims the row and ends it in <paramref name="status"/> (null: left Received).</summary>
    private static async Task EndAsync(StoreFixture store, NewRequest row, string? status)
    {
        if (status is null)
        {
            await store.Store.InsertReceivedAsync([row], default);
            return;
        }
        var owner = $"o-{Guid.NewGuid():N}";
        Assert.That((await store.Store.ClaimAsync(row, owner, T0, TimeSpan.FromMinutes(1), default)).Claimed, Is.True);
        if (status != RequestStatuses.Processing)
            Assert.That(await store.Store.UpdateAsync(row.RequestId, new StatusUpdate { Status = status }, owner, default), Is.True);
    }

    [Test]
    public async Task Counts_by_status_follow_the_filters_and_a_journey_matches_its_name_or_id()
    {
        await using var store = await StoreFixture.CreateAsync(provider);
        await EndAsync(store, Row("Q4 nurture", 60), RequestStatuses.CallbackSent);
        await EndAsync(store, Row("Q4 nurture", 60), RequestStatuses.Failed);
        await EndAsync(store, Row("Q4 nurture", 60), RequestStatuses.Failed);
        await EndAsync(store, Row("Spring", 60) with { JourneyId = "journey-spring" }, RequestStatuses.Failed);

        var byName = await store.Queries.CountByStatusAsync(new RequestQuery { Journey = "Q4 nurture", EntityId = "12345" }, default);
        Assert.That(byName, Is.EqualTo(new[] { new StatusTotal(RequestStatuses.CallbackSent, 1), new StatusTotal(RequestStatuses.Failed, 2) }));
        var byId = await store.Queries.CountByStatusAsync(new RequestQuery { Journey = "journey-spring" }, default);
        Assert.That(byId, Is.EqualTo(new[] { new StatusTotal(RequestStatuses.Failed, 1) }));
        var page = await store.Queries.QueryAsync(new RequestQuery { Journey = "Q4 nurture", Status = RequestStatuses.Failed }, default);
        Assert.That(page.Items, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task Only_unfinished_requests_with_a_deadline_before_the_horizon_are_at_risk_soonest_first()
    {
        await using var store = await StoreFixture.CreateAsync(provider);
        var soon = Row("j", 5);
        var sooner = Row("j", 2);
        await EndAsync(store, soon, RequestStatuses.Processing);
        await EndAsync(store, sooner, null);
        await EndAsync(store, Row("j", 3), RequestStatuses.TimedOut); // final: not at risk
        await EndAsync(store, Row("j", 120), null); // far away

        var before = T0.AddMinutes(10);
        Assert.That(await store.Queries.CountDeadlineBeforeAsync(before, default), Is.EqualTo(2));
        Assert.That((await store.Queries.DeadlineBeforeAsync(before, 50, default)).Select(r => r.RequestId), Is.EqualTo(new[] { sooner.RequestId, soon.RequestId }));
    }

    [Test]
    public async Task Dead_letters_since_a_time_count_failed_and_timed_out_requests_updated_since()
    {
        await using var store = await StoreFixture.CreateAsync(provider);
        var since = DateTimeOffset.UtcNow.AddSeconds(-5);
        await EndAsync(store, Row("j", 60), RequestStatuses.Failed);
        await EndAsync(store, Row("j", 60), RequestStatuses.TimedOut);
        await EndAsync(store, Row("j", 60), RequestStatuses.CallbackSent);

        Assert.That(await store.Queries.CountEndedSinceAsync(since, default), Is.EqualTo(2));
        Assert.That(await store.Queries.CountEndedSinceAsync(DateTimeOffset.UtcNow.AddMinutes(5), default), Is.Zero);
    }

    [Test]
    public async Task The_dashboard_reads_requests_received_since_a_time_newest_first()
    {
        await using var store = await StoreFixture.CreateAsync(provider);
        await EndAsync(store, Row("j", 60, T0.AddMinutes(-90)), RequestStatuses.CallbackSent);
        await EndAsync(store, Row("j", 60, T0.AddMinutes(-10)), RequestStatuses.Failed);
        await EndAsync(store, Row("j", 60, T0.AddMinutes(-5)), null);

        var rows = await store.Queries.ActivitySinceAsync(T0.AddMinutes(-60), 100, default);

        Assert.That(rows.Select(r => (r.Status, r.ReceivedAt)), Is.EqualTo(new[] { (RequestStatuses.Received, T0.AddMinutes(-5)), (RequestStatuses.Failed, T0.AddMinutes(-10)) }));
        Assert.That(rows[0].ActionName, Is.EqualTo("console"));
    }
}
