using Dapper;

namespace ExternalAction.Store.Tests;

/// <summary>
/// The group commit of claims and updates (<see cref="GroupCommit"/>) on the real databases: calls that arrive while a
/// transaction is written share the next one, each call keeps its own result, a failing call fails alone, and batches
/// running beside the Api's row writer never deadlock. The writer is held with a call of the test's own (a gate), so
/// which calls share a transaction is known, not left to timing.
/// </summary>
[TestFixtureSource(nameof(Providers))]
public sealed class GroupCommitTests(string provider) : StoreSuite(provider)
{
    public static readonly string[] Providers = [StoreProviders.Sqlite, StoreProviders.Postgres];

    private static readonly DateTimeOffset T0 = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

    private static NewRequest Row(string id) => new()
    {
        RequestId = id,
        ActionName = "lead-scoring",
        ActionVersion = "1",
        EntityType = "lead",
        LeadId = "12345",
        ReceivedAt = T0,
        DeadlineAt = T0.AddHours(1),
        RequestPayload = """{"objectData":{}}""",
    };

    /// <summary>Holds the store's single writer inside a call of its own until the returned release is called.</summary>
    private static async Task<(Task Held, Action Release)> HoldWriterAsync(StatusStore store)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = store.Group!.RunAsync("", async (_, _, _) =>
        {
            started.TrySetResult();
            await release.Task;
            return 0;
        }, default);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        return (held, release.SetResult);
    }

    [Test]
    public async Task Calls_that_arrive_while_a_transaction_is_written_share_the_next_one_and_keep_their_own_results()
    {
        await using var store = Fixture.NewStore(new GroupCommitOptions { Writers = 1, MaxCalls = 64 });
        var rows = Enumerable.Range(0, 20).Select(i => Row($"gc-{Guid.NewGuid():N}")).ToList();
        // One of them exists already and is leased to someone else: its claim fails, in the same transaction as the rest.
        var taken = rows[7];
        await Store.InsertReceivedAsync([taken], default);
        Assert.That((await Store.ClaimAsync(taken, "other", T0, TimeSpan.FromHours(1), default)).Claimed, Is.True);

        var before = store.Group!.Written;
        var (held, release) = await HoldWriterAsync(store);
        var claims = rows.Select((row, i) => store.ClaimAsync(row, $"owner-{i}", T0, TimeSpan.FromMinutes(5), default)).ToList();
        await Task.Delay(100);
        Assert.That(claims.Any(c => c.IsCompleted), Is.False, "nothing is written while the writer is held");
        release();
        await held;
        var results = await Task.WhenAll(claims);
        var after = store.Group!.Written;

        Assert.Multiple(() =>
        {
            Assert.That(after.Calls - before.Calls, Is.EqualTo(21), "the gate and the 20 claims");
            Assert.That(after.Transactions - before.Transactions, Is.EqualTo(2), "the gate's, then one for the 20 claims queued behind it");
            for (var i = 0; i < rows.Count; i++)
            {
                Assert.That(results[i].Record.RequestId, Is.EqualTo(rows[i].RequestId), "each call gets its own row");
                Assert.That(results[i].Claimed, Is.EqualTo(i != 7), rows[i].RequestId);
                Assert.That(results[i].Record.LeaseOwner, Is.EqualTo(i == 7 ? "other" : $"owner-{i}"));
            }
        });

        // Updates the same way: the owner's update is applied, another's refused, each told which.
        (held, release) = await HoldWriterAsync(store);
        var updates = rows.Select((row, i) => store.UpdateAsync(row.RequestId,
            new StatusUpdate { Status = RequestStatuses.CallbackSent, Detail = "grouped", ClearNextAttempt = true },
            $"owner-{i}", default)).ToList();
        release();
        await held;
        var changed = await Task.WhenAll(updates);
        Assert.That(changed, Is.EqualTo(rows.Select((_, i) => i != 7).ToArray()));
        foreach (var (row, i) in rows.Select((r, i) => (r, i)))
            Assert.That((await Queries.GetAsync(row.RequestId, default))!.Status, Is.EqualTo(i == 7 ? RequestStatuses.Processing : RequestStatuses.CallbackSent));
        var history = await Queries.GetTransitionsAsync(rows[0].RequestId, default);
        Assert.That(history.Select(h => h.ToStatus), Is.EqualTo(new[] { RequestStatuses.Received, RequestStatuses.Processing, RequestStatuses.CallbackSent }));
    }

    [Test]
    public async Task With_a_gather_window_a_lone_call_waits_for_company_until_the_window_closes_or_the_batch_is_full()
    {
        // The window runs on a fake clock: it closes when the test moves the clock, not when some real time has passed.
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(T0);
        await using var store = Fixture.NewStore(new GroupCommitOptions { Writers = 1, MaxCalls = 3, GatherMs = 50 }, clock);
        Task<ClaimResult> Claim(string owner) => store.ClaimAsync(Row($"gc-{Guid.NewGuid():N}"), owner, T0, TimeSpan.FromMinutes(5), default);
        var before = store.Group!.Written;

        var pair = new[] { Claim("owner-a"), Claim("owner-b") };
        await Task.Delay(200);
        Assert.That(pair.Any(c => c.IsCompleted), Is.False, "two calls of three possible: the writer waits for the window");
        clock.Advance(TimeSpan.FromMilliseconds(50));
        var claimed = await Task.WhenAll(pair).WaitAsync(TimeSpan.FromSeconds(10));
        var afterPair = store.Group!.Written;

        // Three calls fill the batch: written without the clock moving.
        var full = await Task.WhenAll(Claim("owner-c"), Claim("owner-d"), Claim("owner-e")).WaitAsync(TimeSpan.FromSeconds(10));
        var afterFull = store.Group!.Written;

        Assert.Multiple(() =>
        {
            Assert.That(claimed.Concat(full).Select(c => c.Claimed), Is.All.True);
            Assert.That((afterPair.Transactions - before.Transactions, afterPair.Calls - before.Calls), Is.EqualTo((1L, 2L)), "the pair in one transaction");
            Assert.That((afterFull.Transactions - afterPair.Transactions, afterFull.Calls - afterPair.Calls), Is.EqualTo((1L, 3L)), "the full batch in one");
        });
    }

    [Test]
    public async Task A_call_that_fails_in_a_shared_transaction_fails_alone_and_the_others_are_written()
    {
        var table = $"gc_probe_{Guid.NewGuid():N}"[..20];
        await Fixture.ExecuteAsync($"CREATE TABLE {table} (id VARCHAR(40) NOT NULL PRIMARY KEY)");
        await Fixture.ExecuteAsync($"INSERT INTO {table} (id) VALUES ('dup')");
        await using var store = Fixture.NewStore(new GroupCommitOptions { Writers = 1, MaxCalls = 64 });
        Task<int> Insert(string id) => store.Group!.RunAsync(id, (connection, tx, ct) =>
            connection.ExecuteAsync(new CommandDefinition($"INSERT INTO {table} (id) VALUES (@Id)", new { Id = id }, tx, cancellationToken: ct)), default);

        var before = store.Group!.Written;
        var (held, release) = await HoldWriterAsync(store);
        var good = Enumerable.Range(0, 10).Select(i => Insert($"a{i}")).ToList();
        var bad = Insert("dup"); // sorts after the others: the shared transaction has run them when it fails
        release();
        await held;

        Assert.That(await Task.WhenAll(good), Is.All.EqualTo(1));
        Assert.That(async () => await bad, Throws.InstanceOf<System.Data.Common.DbException>(), "the duplicate key fails its own call");
        var after = store.Group!.Written;
        Assert.Multiple(async () =>
        {
            Assert.That(await Fixture.ScalarAsync($"SELECT COUNT(*) FROM {table}"), Is.EqualTo(11), "the ten good rows, once each, and the first 'dup'");
            Assert.That(after.Transactions - before.Transactions, Is.EqualTo(11), "the gate's; then the shared transaction was rolled back and each good call ran again alone");
        });
    }

    [Test]
    public async Task Grouped_claims_beside_the_Api_row_writer_never_deadlock_and_claim_each_request_once()
    {
        await using var processorA = Fixture.NewStore(new GroupCommitOptions { Writers = 2, MaxCalls = 64 });
        await using var processorB = Fixture.NewStore(new GroupCommitOptions { Writers = 2, MaxCalls = 64 });
        var api = Fixture.NewStore();
        var rows = Enumerable.Range(0, 300).Select(i => Row($"gd-{i:D3}-{Guid.NewGuid():N}")).ToList();
        var random = new Random(7);

        // The Api writes the rows in batches while two Processors (copies of every message, as after a redelivery)
        // claim them in another order; every id is claimed by exactly one of them.
        var writer = Task.Run(async () =>
        {
            foreach (var chunk in rows.OrderBy(_ => random.Next()).Chunk(25))
                await api.InsertReceivedAsync(chunk, default);
        });
        var claims = rows.OrderBy(_ => Guid.NewGuid())
            .SelectMany(row => new[]
            {
                Task.Run(() => processorA.ClaimAsync(row, "a", T0, TimeSpan.FromMinutes(5), default)),
                Task.Run(() => processorB.ClaimAsync(row, "b", T0, TimeSpan.FromMinutes(5), default)),
            }).ToList();
        await writer.WaitAsync(TimeSpan.FromSeconds(60));
        var results = await Task.WhenAll(claims).WaitAsync(TimeSpan.FromSeconds(60));

        var winners = results.Where(r => r.Claimed).GroupBy(r => r.Record.RequestId).ToDictionary(g => g.Key, g => g.Count());
        Assert.Multiple(() =>
        {
            Assert.That(winners, Has.Count.EqualTo(rows.Count), "every request claimed");
            Assert.That(winners.Values, Is.All.EqualTo(1), "never by both");
            Assert.That(processorA.Group!.Written.Transactions + processorB.Group!.Written.Transactions,
                Is.LessThanOrEqualTo(results.Length), "no more transactions than calls");
        });
    }
}
