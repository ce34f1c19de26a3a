namespace ExternalAction.Store.Tests;

/// <summary>The retention purge on every provider (finding 16): what it clears and deletes, and what it never touches.</summary>
[TestFixtureSource(typeof(StatusStoreTests), nameof(StatusStoreTests.Providers))]
public sealed class RetentionTests(string provider) : StoreSuite(provider)
{
    private static readonly DateTimeOffset Old = new(2025, 1, 10, 8, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Cutoff = Old.AddDays(30);
    private static readonly DateTimeOffset Recent = Cutoff.AddDays(1);

    // The fixture's database is shared by its tests (and SQL Server's by every run): each starts without the final
    // rows the ones before it left in this fixture's time window. Rows of other suites are received later.
    [SetUp]
    public Task NoOldFinalRows() => Store.PurgeAsync(null, Recent.AddDays(1), 1000, default);

    private async Task<NewRequest> RowAsync(string status, DateTimeOffset received, string payload = """{"objectData":{"leadData":{"email":"a@b.c"}}}""")
    {
        var row = new NewRequest
        {
            RequestId = $"ret-{Guid.NewGuid():N}",
            ActionName = "retention",
            ActionVersion = "1",
            EntityType = "lead",
            LeadId = "1",
            ReceivedAt = received,
            DeadlineAt = received.AddHours(1),
            RequestPayload = payload,
        };
        await Store.InsertReceivedAsync([row], default);
        if (status == RequestStatuses.Received)
            return row;
        // Every other state is reached the way the lifecycle allows: claimed, then moved by the claim's owner.
        await Store.ClaimAsync(row, "owner", received, TimeSpan.FromMinutes(1), default);
        if (status == RequestStatuses.Processing)
            return row;
        await Store.UpdateAsync(row.RequestId, new StatusUpdate { Status = status, CallbackBody = """{"objectData":[]}""", Detail = "test" }, "owner", default);
        return row;
    }

    private async Task<long> TransitionsOf(string requestId) =>
        await Fixture.ScalarAsync($"SELECT COUNT(*) FROM action_request_transitions WHERE request_id = '{requestId}'");

    [Test]
    public async Task Payloads_and_callback_bodies_of_final_rows_past_the_cutoff_are_cleared_and_nothing_else()
    {
        var oldFinal = new List<NewRequest>();
        foreach (var status in RequestStatuses.Final)
            oldFinal.Add(await RowAsync(status, Old));
        var oldOpen = new List<NewRequest>();
        foreach (var status in RequestStatuses.All.Where(s => !RequestStatuses.IsFinal(s)))
            oldOpen.Add(await RowAsync(status, Old));
        var recentFinal = await RowAsync(RequestStatuses.CallbackSent, Recent);

        var result = await Store.PurgeAsync(Cutoff, null, 100, default);

        Assert.That(result, Is.EqualTo(new PurgeResult(RequestStatuses.Final.Count, 0, 0)));
        foreach (var row in oldFinal)
        {
            var record = (await Queries.GetAsync(row.RequestId, default))!;
            Assert.That((record.RequestPayload, record.CallbackBody), Is.EqualTo(((string?)null, (string?)null)), record.Status);
            Assert.That(record.Status, Is.AnyOf(RequestStatuses.Final.ToArray()), "the row itself stays");
            Assert.That(await TransitionsOf(row.RequestId), Is.GreaterThan(0), "so does its history");
        }
        foreach (var row in oldOpen.Append(recentFinal))
            Assert.That((await Queries.GetAsync(row.RequestId, default))!.RequestPayload, Is.EqualTo(row.RequestPayload), row.RequestId);
        Assert.That(await Store.PurgeAsync(Cutoff, null, 100, default), Is.EqualTo(new PurgeResult(0, 0, 0)), "a second purge changes nothing");
    }

    [Test]
    public async Task Final_rows_past_the_row_limit_are_deleted_with_their_history_and_waiting_rows_never()
    {
        var oldFinal = new List<NewRequest>();
        foreach (var status in RequestStatuses.Final)
            oldFinal.Add(await RowAsync(status, Old));
        var oldOpen = new List<NewRequest>();
        foreach (var status in RequestStatuses.All.Where(s => !RequestStatuses.IsFinal(s)))
            oldOpen.Add(await RowAsync(status, Old));
        var recentFinal = await RowAsync(RequestStatuses.Failed, Recent);
        var history = 0L;
        foreach (var row in oldFinal)
            history += await TransitionsOf(row.RequestId);

        var result = await Store.PurgeAsync(null, Cutoff, 100, default);

        Assert.That(result, Is.EqualTo(new PurgeResult(0, RequestStatuses.Final.Count, (int)history)));
        foreach (var row in oldFinal)
        {
            Assert.That(await Queries.GetAsync(row.RequestId, default), Is.Null);
            Assert.That(await TransitionsOf(row.RequestId), Is.Zero);
        }
        foreach (var row in oldOpen.Append(recentFinal))
        {
            Assert.That(await Queries.GetAsync(row.RequestId, default), Is.Not.Null, row.RequestId);
            Assert.That(await TransitionsOf(row.RequestId), Is.GreaterThan(0), row.RequestId);
        }
        // A waiting row left alone is still claimable: the purge took no lease and changed no column.
        Assert.That((await Store.ClaimAsync(oldOpen[0], "later", Recent, TimeSpan.FromMinutes(1), default)).Claimed, Is.True);
    }

    [Test]
    public async Task Rows_deleted_in_the_same_purge_are_not_counted_as_cleared()
    {
        var row = await RowAsync(RequestStatuses.CallbackSent, Old);
        var result = await Store.PurgeAsync(Cutoff, Cutoff, 100, default);
        Assert.That((result.RowsDeleted, result.PayloadsCleared), Is.EqualTo((1, 0)));
        Assert.That(await Queries.GetAsync(row.RequestId, default), Is.Null);
    }

    [Test]
    public async Task Small_batches_reach_every_row_once()
    {
        // Rows sharing a received time: the request id orders them inside a batch boundary.
        var rows = new List<NewRequest>();
        for (var i = 0; i < 23; i++)
            rows.Add(await RowAsync(RequestStatuses.CallbackSent, Old.AddSeconds(i / 4)));
        var open = await RowAsync(RequestStatuses.RetryScheduled, Old.AddSeconds(2));

        Assert.That((await Store.PurgeAsync(Cutoff, null, 5, default)).PayloadsCleared, Is.EqualTo(23));
        Assert.That((await Store.PurgeAsync(null, Cutoff, 5, default)).RowsDeleted, Is.EqualTo(23));
        Assert.That(await Queries.GetAsync(open.RequestId, default), Is.Not.Null);
        foreach (var row in rows)
            Assert.That(await Queries.GetAsync(row.RequestId, default), Is.Null);
    }

    [Test]
    public async Task Processors_purging_at_the_same_time_handle_each_row_once()
    {
        var rows = new List<NewRequest>();
        for (var i = 0; i < 60; i++)
            rows.Add(await RowAsync(RequestStatuses.CallbackSent, Old.AddMilliseconds(i)));
        // Separate stores have separate connection pools, like separate Processor processes.
        var stores = Enumerable.Range(0, 3).Select(_ => Fixture.NewStore()).ToList();

        var clears = await Task.WhenAll(stores.Select(s => Task.Run(() => s.PurgeAsync(Cutoff, null, 7, default))));
        var deletes = await Task.WhenAll(stores.Select(s => Task.Run(() => s.PurgeAsync(null, Cutoff, 7, default))));

        Assert.That(clears.Sum(r => r.PayloadsCleared), Is.EqualTo(rows.Count));
        Assert.That(deletes.Sum(r => r.RowsDeleted), Is.EqualTo(rows.Count));
        foreach (var row in rows)
            Assert.That(await Queries.GetAsync(row.RequestId, default), Is.Null);
    }
}
