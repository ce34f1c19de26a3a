using static ExternalAction.Store.Lifecycle.Mover;
using static ExternalAction.Store.Lifecycle.RequestStatus;

namespace ExternalAction.Store.Lifecycle;

/// <summary>Who moves a request from one status to the next, and through which store call.</summary>
public enum Mover
{
    /// <summary>The Api, once the broker has confirmed an accepted request: its batched row writer, through <see cref="StatusStore.InsertReceivedAsync"/>.</summary>
    Intake,

    /// <summary>
    /// A Processor taking a request to work on it, through <see cref="StatusStore.ClaimAsync"/>: one conditional update,
    /// so of several claimants one wins; the winner holds a lease until its attempt ends.
    /// </summary>
    ProcessorClaim,

    /// <summary>The Processor holding the lease, recording what a step of its attempt came to, through <see cref="StatusStore.UpdateAsync"/>.</summary>
    ProcessorStep,

    /// <summary>The Processor holding the lease, ending a request whose deadline has passed (or would before its next attempt), through <see cref="StatusStore.UpdateAsync"/>.</summary>
    Deadline,

    /// <summary>
    /// A support operator replaying a request that ended without success, through <see cref="StatusStore.ReplayAsync"/>
    /// (the Api's support API and console): one conditional update with a fresh deadline, recorded with who and why.
    /// </summary>
    Operator,
}

/// <summary>One allowed move: from a status (null: the row does not exist yet) to another, by whom and when.</summary>
public sealed record Transition(RequestStatus? From, RequestStatus To, Mover By, string When)
{
    /// <summary>Allowed only once the lease of the Processor holding the row has run out.</summary>
    public bool AfterLeaseExpiry { get; init; }
}

/// <summary>
/// A request's life in one table. The store builds its conditions from it (what a claim takes, which status an update
/// may leave for which, which rows are final and may be purged) and refuses any other move; a test renders it into
/// <c>docs/architecture.md</c>, so the documentation is this table too.
/// </summary>
public static class RequestLifecycle
{
    public static IReadOnlyList<Transition> Transitions { get; } =
    [
        new(null, Received, Intake, "the Api's row writer batch-inserts the accepted request after answering"),
        new(null, Received, ProcessorClaim, "a Processor gets the request before the Api's batch: it inserts the row and claims it at once"),
        new(Received, Processing, ProcessorClaim, "a Processor claims the request and leases it for one attempt"),
        new(RetryScheduled, Processing, ProcessorClaim, "the retry's message comes back and a Processor claims the request again"),
        new(Deferred, Processing, ProcessorClaim, "the send window opened: the waiting message comes back and a Processor claims the request again"),
        new(Processing, Processing, ProcessorClaim, "the holder's lease ran out (it crashed or stalled): another Processor takes the request over") { AfterLeaseExpiry = true },
        new(Processing, Processing, ProcessorStep, "delivered (or nothing to deliver): accessor values, selected path and the callback body are kept"),
        new(Processing, RetryScheduled, ProcessorStep, "the delivery or the callback failed transiently and the next attempt is before the deadline"),
        new(Processing, Deferred, ProcessorStep, "outside the action's send window in the recipient's time zone, and it opens before the deadline"),
        new(Processing, CallbackSent, ProcessorStep, "the platform accepted the callback (the outcome says success or business failure)"),
        new(Processing, CallbackUnconfirmed, ProcessorStep, "an earlier callback's outcome was unknown and the platform now refuses the used token"),
        new(Processing, Completed, ProcessorStep, "a contract without a callback (SFMC, AJO custom actions): delivered, and its outcome report (if the action asks for one) accepted"),
        new(Processing, Suppressed, ProcessorStep, "a suppression rule, the suppression list or no route matched: nothing delivered, and the platform was told where its contract allows"),
        new(Processing, Capped, ProcessorStep, "a frequency cap was full: nothing delivered, and the platform was told where its contract allows"),
        new(Processing, Failed, ProcessorStep, "the callback or outcome report was refused for good, its body could not be built, the delivery was refused for good with no one to tell, or the message could not be read"),
        new(Processing, TimedOut, Deadline, "the deadline passed before processing or before the callback, or the next attempt (or the send window's opening) would pass it"),
        new(Failed, Received, Operator, "an operator replays the request from its dead-lettered message, with a fresh deadline; a kept report is resent, the channel delivered again only when the operator asks for it"),
        new(TimedOut, Received, Operator, "an operator replays the request from its dead-lettered message, with a fresh deadline; a kept report is resent, the channel delivered again only when the operator asks for it"),
    ];

    /// <summary>
    /// The states the engine never leaves (no move but an operator's replay leaves them), in declaration order: a
    /// duplicate message of such a request is dropped, and the retention purge touches rows in these only.
    /// </summary>
    public static IReadOnlyList<RequestStatus> Final { get; } =
        [.. Enum.GetValues<RequestStatus>().Where(s => !Transitions.Any(t => t.From == s && t.By != Operator))];

    /// <summary>The final states an operator may replay a request from.</summary>
    public static IReadOnlyList<RequestStatus> Replayable { get; } =
        [.. Transitions.Where(t => t.By == Operator).Select(t => t.From!.Value).Distinct()];

    /// <summary>The status a replay moves a request to (one a claim takes).</summary>
    public static RequestStatus ReplayedTo { get; } = Transitions.Where(t => t.By == Operator).Select(t => t.To).Distinct().Single();

    public static bool IsFinal(RequestStatus status) => Final.Contains(status);

    /// <summary>The store call through which <paramref name="by"/> makes its moves (the store refuses any move the table lacks).</summary>
    public static string StoreCall(Mover by) => by switch
    {
        Intake => nameof(StatusStore.InsertReceivedAsync),
        ProcessorClaim => nameof(StatusStore.ClaimAsync),
        ProcessorStep or Deadline => nameof(StatusStore.UpdateAsync),
        Operator => nameof(StatusStore.ReplayAsync),
        _ => throw new ArgumentOutOfRangeException(nameof(by), by, null),
    };

    /// <summary>True when the table has the move <paramref name="from"/> → <paramref name="to"/> by <paramref name="by"/>.</summary>
    public static bool Allows(RequestStatus? from, RequestStatus to, Mover by) =>
        Transitions.Any(t => t.From == from && t.To == to && t.By == by);
}
