namespace ExternalAction.Store.Lifecycle;

/// <summary>
/// The store's SQL conditions on the status column, built from <see cref="RequestLifecycle.Transitions"/>: no other
/// place in the store writes a status name into SQL, so a change to the table changes what the store allows.
/// </summary>
internal static class LifecycleSql
{
    public static string Literal(RequestStatus status) => $"'{status}'";

    /// <summary><c>column IN ('A', 'B')</c>.</summary>
    public static string In(string column, IEnumerable<RequestStatus> statuses) => $"{column} IN ({string.Join(", ", statuses.Select(Literal))})";

    private static IEnumerable<Transition> Claims => RequestLifecycle.Transitions.Where(t => t is { By: Mover.ProcessorClaim, From: not null });

    /// <summary>The status a new row starts in (the intake's move from no row).</summary>
    public static RequestStatus Inserted { get; } =
        RequestLifecycle.Transitions.Single(t => t is { From: null, By: Mover.Intake }).To;

    /// <summary>The status a claim moves a row to.</summary>
    public static RequestStatus Claimed { get; } = Claims.Select(t => t.To).Distinct().Single();

    /// <summary>The states a claim takes a row from whatever its lease says.</summary>
    private static IEnumerable<RequestStatus> ClaimableAnyTime => Claims.Where(t => !t.AfterLeaseExpiry).Select(t => t.From!.Value);

    /// <summary>The states a claim takes a row from only once its holder's lease ran out.</summary>
    private static IEnumerable<RequestStatus> ClaimableAfterLease => Claims.Where(t => t.AfterLeaseExpiry).Select(t => t.From!.Value);

    /// <summary>The rows a claim may take (with <c>@Now</c>).</summary>
    public static string Claimable { get; } =
        $"({In("status", ClaimableAnyTime)} OR ({In("status", ClaimableAfterLease)} AND (lease_until IS NULL OR lease_until < @Now)))";

    /// <summary>True (as SQL) when <paramref name="fromColumn"/> is a state that a claim takes only after the lease ran out.</summary>
    public static string ClaimedAfterLease(string fromColumn) => In(fromColumn, ClaimableAfterLease);

    /// <summary><c>status IN (…the final states…)</c>.</summary>
    public static string IsFinal { get; } = In("status", RequestLifecycle.Final);

    /// <summary>
    /// The condition under which <see cref="StatusStore.UpdateAsync"/> may move a row to <paramref name="to"/>: its status
    /// is one from which a mover that updates (a Processor step, the deadline) may reach <paramref name="to"/>. Null when
    /// no update may reach <paramref name="to"/>.
    /// </summary>
    public static string? UpdatableTo(RequestStatus to)
    {
        var from = RequestLifecycle.Transitions
            .Where(t => t.To == to && t.From is not null && RequestLifecycle.StoreCall(t.By) == nameof(StatusStore.UpdateAsync))
            .Select(t => t.From!.Value).Distinct().ToList();
        return from.Count == 0 ? null : In("status", from);
    }
}
