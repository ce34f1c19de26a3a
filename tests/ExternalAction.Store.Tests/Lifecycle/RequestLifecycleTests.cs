using ExternalAction.Store.Lifecycle;

namespace ExternalAction.Store.Tests.Lifecycle;

/// <summary>The lifecycle table itself: the stored names, the final states it implies, and that every state is on a way from a new row to an end.</summary>
public sealed class RequestLifecycleTests
{
    public static IEnumerable<RequestStatus> Statuses() => Enum.GetValues<RequestStatus>();

    [Test]
    public void The_stored_status_names_are_the_ones_rows_already_hold()
    {
        Assert.That(RequestStatuses.All, Is.EqualTo(new[] { "Received", "Processing", "RetryScheduled", "Deferred", "CallbackSent", "CallbackUnconfirmed", "Completed", "Suppressed", "Capped", "Failed", "TimedOut" }));
        Assert.That(new[] { RequestStatuses.Received, RequestStatuses.Processing, RequestStatuses.RetryScheduled, RequestStatuses.Deferred, RequestStatuses.CallbackSent,
            RequestStatuses.CallbackUnconfirmed, RequestStatuses.Completed, RequestStatuses.Suppressed, RequestStatuses.Capped, RequestStatuses.Failed, RequestStatuses.TimedOut }, Is.EqualTo(RequestStatuses.All));
    }

    [Test]
    public void The_final_states_are_those_no_move_leaves()
    {
        Assert.That(RequestLifecycle.Final, Is.EqualTo(new[] { RequestStatus.CallbackSent, RequestStatus.CallbackUnconfirmed, RequestStatus.Completed, RequestStatus.Suppressed, RequestStatus.Capped, RequestStatus.Failed, RequestStatus.TimedOut }));
        Assert.That(RequestStatuses.Final, Is.EqualTo(RequestLifecycle.Final.Select(s => s.ToString())));
        Assert.That(RequestStatuses.All.Where(RequestStatuses.IsFinal), Is.EqualTo(RequestStatuses.Final));
    }

    [TestCase("CallbackSent", ExpectedResult = true)]
    [TestCase("Processing", ExpectedResult = false)]
    [TestCase("callbacksent", ExpectedResult = false)]
    [TestCase("3", ExpectedResult = false)]
    [TestCase("", ExpectedResult = false)]
    public bool Only_an_exact_stored_name_is_read_as_a_status(string status) => RequestStatuses.IsFinal(status);

    [TestCaseSource(nameof(Statuses))]
    public void Every_state_is_reached_from_a_new_row_and_leads_to_a_final_one(RequestStatus status)
    {
        Assert.That(Reachable(null), Does.Contain(status), "reached from a new row");
        Assert.That(Reachable(status).Append(status).Intersect(RequestLifecycle.Final), Is.Not.Empty, "a final state is reachable from it");
    }

    [Test]
    public void The_store_inserts_and_claims_along_moves_of_the_table()
    {
        Assert.That(RequestLifecycle.Allows(null, LifecycleSql.Inserted, Mover.Intake), Is.True);
        Assert.That(RequestLifecycle.Allows(null, LifecycleSql.Inserted, Mover.ProcessorClaim), Is.True, "a claim of a missing row inserts it");
        Assert.That(RequestLifecycle.Allows(LifecycleSql.Inserted, LifecycleSql.Claimed, Mover.ProcessorClaim), Is.True, "and then claims it");
    }

    [Test]
    public void Every_mover_has_the_store_call_it_moves_through() =>
        Assert.That(Enum.GetValues<Mover>().Select(RequestLifecycle.StoreCall),
            Is.All.AnyOf(nameof(StatusStore.InsertReceivedAsync), nameof(StatusStore.ClaimAsync), nameof(StatusStore.UpdateAsync), nameof(StatusStore.ReplayAsync)));

    [Test]
    public void Only_an_operator_leaves_a_final_state_and_only_from_failed_or_timed_out_back_to_where_a_claim_takes_it()
    {
        Assert.That(RequestLifecycle.Transitions.Where(t => t.From is { } from && RequestLifecycle.IsFinal(from)).Select(t => t.By), Is.All.EqualTo(Mover.Operator));
        Assert.That(RequestLifecycle.Replayable, Is.EqualTo(new[] { RequestStatus.Failed, RequestStatus.TimedOut }));
        Assert.That(RequestLifecycle.Allows(RequestLifecycle.ReplayedTo, LifecycleSql.Claimed, Mover.ProcessorClaim), Is.True, "a replayed request is claimed again");
        Assert.That(RequestLifecycle.Transitions.Where(t => t.By == Mover.Operator).Select(t => t.To), Is.All.EqualTo(RequestStatus.Received));
    }

    private static HashSet<RequestStatus> Reachable(RequestStatus? from)
    {
        var seen = new HashSet<RequestStatus>();
        var queue = new Queue<RequestStatus?>([from]);
        while (queue.TryDequeue(out var state))
            foreach (var move in RequestLifecycle.Transitions.Where(t => t.From == state))
                if (seen.Add(move.To))
                    queue.Enqueue(move.To);
        return seen;
    }
}
