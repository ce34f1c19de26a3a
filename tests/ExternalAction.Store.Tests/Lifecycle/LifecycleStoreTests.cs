using ExternalAction.Store.Lifecycle;

namespace ExternalAction.Store.Tests.Lifecycle;

/// <summary>
/// The lifecycle table as the store enforces it, on every provider: each move in the table made through the store
/// call of its mover and recorded, and each move the table lacks refused by <see cref="StatusStore.UpdateAsync"/>
/// (false, nothing written) even without a lease owner to check.
/// </summary>
[TestFixtureSource(typeof(StatusStoreTests), nameof(StatusStoreTests.Providers))]
public sealed class LifecycleStoreTests(string provider) : StoreSuite(provider)
{
    private static readonly DateTimeOffset T0 = new(2026, 10, 5, 7, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);

    public static IEnumerable<TestCaseData> Allowed() =>
        RequestLifecycle.Transitions.Select(t => new TestCaseData(t).SetName($"Allowed: {Name(t.From)} to {t.To} by {t.By}"));

    /// <summary>Every pair of states (no row excluded) that no updating mover has in the table.</summary>
    public static IEnumerable<TestCaseData> RefusedUpdates() =>
        from source in Enum.GetValues<RequestStatus>()
        from target in Enum.GetValues<RequestStatus>()
        where !RequestLifecycle.Transitions.Any(t => t.From == source && t.To == target && RequestLifecycle.StoreCall(t.By) == nameof(StatusStore.UpdateAsync))
        select new TestCaseData(source, target).SetName($"Refused update: {source} to {target}");

    [TestCaseSource(nameof(Allowed))]
    public async Task A_move_in_the_table_is_made_by_its_mover_and_recorded(Transition move)
    {
        var request = await RowInAsync(move.From);
        var before = await HistoryAsync(request);

        Assert.That(await MoveAsync(request, move), Is.True);

        var after = await HistoryAsync(request);
        var record = (await Queries.GetAsync(request.Row.RequestId, default))!;
        if (move is { From: null, By: Mover.ProcessorClaim })
        {
            // A claim that finds no row inserts it and claims it in the same call: both moves are in its history.
            Assert.That(after, Is.EqualTo(new (string?, string)[] { (null, move.To.ToString()), (move.To.ToString(), LifecycleSql.Claimed.ToString()) }));
            Assert.That(record.Status, Is.EqualTo(LifecycleSql.Claimed.ToString()));
            return;
        }
        Assert.That(after, Is.EqualTo(before.Append((move.From?.ToString(), move.To.ToString()))), "one transition more, from the state the row was in");
        Assert.That(record.Status, Is.EqualTo(move.To.ToString()));
    }

    [TestCaseSource(nameof(RefusedUpdates))]
    public async Task An_update_the_table_does_not_have_is_refused_and_records_nothing(RequestStatus from, RequestStatus to)
    {
        var request = await RowInAsync(from);
        var before = await HistoryAsync(request);

        var changed = await Store.UpdateAsync(request.Row.RequestId, new StatusUpdate { Status = to.ToString(), Detail = "not allowed", LastError = "written" }, null, default);

        Assert.That(changed, Is.False);
        var record = (await Queries.GetAsync(request.Row.RequestId, default))!;
        Assert.That(record.Status, Is.EqualTo(from.ToString()));
        Assert.That(record.LastError, Is.Null, "no column changed");
        Assert.That(await HistoryAsync(request), Is.EqualTo(before));
    }

    [Test]
    public async Task An_update_to_a_status_the_lifecycle_does_not_know_is_refused()
    {
        var request = await RowInAsync(RequestStatus.Processing);
        Assert.That(await Store.UpdateAsync(request.Row.RequestId, new StatusUpdate { Status = "Delivered" }, request.Owner, default), Is.False);
        Assert.That((await Queries.GetAsync(request.Row.RequestId, default))!.Status, Is.EqualTo(RequestStatuses.Processing));
    }

    [TestCaseSource(typeof(RequestLifecycleTests), nameof(RequestLifecycleTests.Statuses))]
    public async Task A_claim_takes_a_row_only_from_a_state_the_table_lets_it_while_the_lease_is_live(RequestStatus status)
    {
        var request = await RowInAsync(status);
        var expected = RequestLifecycle.Transitions.Any(t => t is { By: Mover.ProcessorClaim, AfterLeaseExpiry: false } && t.From == status);

        var claim = await Store.ClaimAsync(request.Row, "another-owner", request.Now, Lease, default);

        Assert.That(claim.Claimed, Is.EqualTo(expected));
        Assert.That(claim.Record.Status, Is.EqualTo(expected ? LifecycleSql.Claimed.ToString() : status.ToString()));
    }

    /// <summary>A request on its way through the table: its row, the owner of its last claim and the time of its last move.</summary>
    private sealed class Request(NewRequest row)
    {
        public NewRequest Row { get; } = row;
        public string? Owner { get; set; }
        public DateTimeOffset Now { get; set; } = T0;
    }

    /// <summary>A new request brought to <paramref name="status"/> along the table's shortest way there (null: no row yet).</summary>
    private async Task<Request> RowInAsync(RequestStatus? status)
    {
        var request = new Request(new NewRequest
        {
            RequestId = $"life-{Guid.NewGuid():N}", ActionName = "lifecycle", ActionVersion = "1", EntityType = "lead", LeadId = "1",
            ReceivedAt = T0, DeadlineAt = T0.AddHours(1), RequestPayload = "{}",
        });
        foreach (var move in WayTo(status))
            Assert.That(await MoveAsync(request, move), Is.True, $"on the way to {status}: {move}");
        return request;
    }

    /// <summary>The moves from no row to <paramref name="status"/>, found breadth-first through the table in its order.</summary>
    private static List<Transition> WayTo(RequestStatus? status)
    {
        var ways = new Dictionary<RequestStatus, List<Transition>>();
        var queue = new Queue<(RequestStatus? State, List<Transition> Way)>([(null, [])]);
        while (queue.TryDequeue(out var current))
        {
            if (current.State == status)
                return current.Way;
            foreach (var move in RequestLifecycle.Transitions.Where(t => t.From == current.State && !ways.ContainsKey(t.To)))
            {
                ways[move.To] = [.. current.Way, move];
                queue.Enqueue((move.To, ways[move.To]));
            }
        }
        throw new InvalidOperationException($"{status} cannot be reached from a new row");
    }

    /// <summary>Makes <paramref name="move"/> the way its mover does, through the mover's store call.</summary>
    private async Task<bool> MoveAsync(Request request, Transition move)
    {
        switch (move.By)
        {
            case Mover.Intake:
                return await Store.InsertReceivedAsync([request.Row], default) == 1;
            case Mover.ProcessorClaim:
                if (move.AfterLeaseExpiry)
                    request.Now += Lease + TimeSpan.FromSeconds(1);
                request.Owner = $"owner-{Guid.NewGuid():N}";
                return (await Store.ClaimAsync(request.Row, request.Owner, request.Now, Lease, default)).Claimed;
            case Mover.Operator:
                Assert.That(RequestLifecycle.StoreCall(move.By), Is.EqualTo(nameof(StatusStore.ReplayAsync)));
                return await Store.ReplayAsync(request.Row.RequestId, request.Now.AddHours(1), redeliver: false, move.When, default);
            default:
                Assert.That(RequestLifecycle.StoreCall(move.By), Is.EqualTo(nameof(StatusStore.UpdateAsync)));
                return await Store.UpdateAsync(request.Row.RequestId, new StatusUpdate
                {
                    Status = move.To.ToString(),
                    Detail = move.When,
                    // The Processor keeps its lease through the steps of an attempt that stay in Processing.
                    ReleaseLease = move.To != RequestStatus.Processing,
                }, request.Owner, default);
        }
    }

    private async Task<IReadOnlyList<(string? From, string To)>> HistoryAsync(Request request) =>
        (await Queries.GetTransitionsAsync(request.Row.RequestId, default)).Select(t => (t.FromStatus, t.ToStatus)).ToList();

    private static string Name(RequestStatus? status) => status?.ToString() ?? "no row";
}
