namespace ExternalAction.Bench.EndToEnd;

/// <summary>
/// The end-of-run accounting of the promise "every request answered 200 ends in exactly one recorded outcome".
/// <see cref="Lost"/> and <see cref="Duplicated"/> must both be 0.
/// </summary>
/// <param name="Acknowledged">Requests answered 200.</param>
/// <param name="Settled">Acknowledged requests with an outcome: a final state in the status table (when checked) and a
/// callback seen by the sink, or a documented failure state (CallbackUnconfirmed, Failed, TimedOut).</param>
/// <param name="Lost">Acknowledged requests without an outcome when the grace period ran out.</param>
/// <param name="Duplicated">Requests that got more than one callback; <paramref name="ExtraCallbacks"/> counts the extra copies.</param>
/// <param name="CallbacksForUnacknowledged">Requests not answered 200 (e.g. 503 during a broker outage) that were called back anyway.</param>
/// <param name="UnknownTokenCallbacks">Callbacks with a token this run never sent.</param>
/// <param name="RequestIdMismatches">Callbacks whose X-Request-Id differs from the requestId of the 200.</param>
/// <param name="StatusChecked">Whether the status table was read (otherwise only the callbacks count).</param>
/// <param name="States">Status-table state of the acknowledged requests (<c>(no row)</c> when absent).</param>
/// <param name="LostBy">Why the lost ones count as lost.</param>
internal sealed record OutcomeSummary(
    long Acknowledged, long Settled, long Lost, long Duplicated, long ExtraCallbacks, long ReportedFailures,
    long CallbacksForUnacknowledged, long UnknownTokenCallbacks, long RequestIdMismatches, bool StatusChecked,
    IReadOnlyDictionary<string, long> States, IReadOnlyDictionary<string, long> LostBy)
{
    public bool Clean => Lost == 0 && Duplicated == 0 && RequestIdMismatches == 0;
}

internal static class OutcomeAccounting
{
    public const string NoRow = "(no row)";
    public static readonly string[] FinalStates = ["CallbackSent", "CallbackUnconfirmed", "Failed", "TimedOut"];

    /// <summary>Final states in which the callback may legitimately never have reached the platform.</summary>
    public static readonly string[] FailureStates = ["CallbackUnconfirmed", "Failed", "TimedOut"];

    /// <summary>
    /// How a status source reports a <c>Failed</c> row with no <c>last_error</c>: not a documented failure, since
    /// support could not say why (a message the Processor could not read must say so in its row).
    /// </summary>
    public const string FailedWithoutReason = "Failed (no reason recorded)";

    /// <summary>The state a source reports for a row: its status, or <see cref="FailedWithoutReason"/>.</summary>
    public static string StateOf(string status, string? lastError) =>
        status == "Failed" && string.IsNullOrWhiteSpace(lastError) ? FailedWithoutReason : status;

    /// <summary>Why an acknowledged request has no outcome yet, or null when it has one.</summary>
    /// <param name="status">Its state in the status table; null when the table is not checked.</param>
    public static string? MissingOutcome(LedgerEntry entry, string? status, bool statusChecked)
    {
        if (!statusChecked)
            return entry.Callbacks > 0 ? null : "no callback";
        if (status is null or NoRow)
            return "no row in the status table";
        if (status == FailedWithoutReason)
            return entry.Callbacks > 0 ? null : "Failed without a reason and no callback";
        if (!FinalStates.Contains(status))
            return $"not final ({status})";
        if (entry.Callbacks == 0 && !FailureStates.Contains(status))
            return $"{status} but no callback seen";
        return null;
    }

    /// <param name="statuses">requestId → state from the status table; null when the table is not checked.</param>
    public static OutcomeSummary Account(IReadOnlyCollection<LedgerEntry> entries, IReadOnlyDictionary<string, string>? statuses, long unknownTokenCallbacks = 0)
    {
        var acknowledged = entries.Where(e => e.RequestId is not null).ToList();
        var states = new Dictionary<string, long>(StringComparer.Ordinal);
        var lostBy = new Dictionary<string, long>(StringComparer.Ordinal);
        long settled = 0;
        foreach (var entry in acknowledged)
        {
            string? status = null;
            if (statuses is not null)
            {
                status = statuses.TryGetValue(entry.RequestId!, out var s) ? s : NoRow;
                states[status] = states.GetValueOrDefault(status) + 1;
            }
            if (MissingOutcome(entry, status, statuses is not null) is { } reason)
                lostBy[reason] = lostBy.GetValueOrDefault(reason) + 1;
            else
                settled++;
        }
        var duplicated = entries.Where(e => e.Callbacks > 1).ToList();
        return new OutcomeSummary(
            acknowledged.Count, settled, acknowledged.Count - settled, duplicated.Count, duplicated.Sum(e => e.Callbacks - 1L),
            entries.Count(e => e.ReportedFailure),
            entries.Count(e => e.RequestId is null && e.Callbacks > 0), unknownTokenCallbacks,
            entries.Count(e => e.RequestIdMismatch), statuses is not null, states, lostBy);
    }

    /// <summary>
    /// Waits up to <paramref name="grace"/> for every acknowledged request to settle (reading the status table, when
    /// given, for the requests not yet final), then <paramref name="lateDuplicates"/> more for late second callbacks,
    /// and returns the accounting.
    /// </summary>
    public static async Task<OutcomeSummary> SettleAsync(CallbackLedger ledger, IStatusSource? source, TimeSpan grace, TimeSpan lateDuplicates,
        TimeSpan poll, Action<OutcomeSummary>? progress = null, CancellationToken ct = default)
    {
        var known = new Dictionary<string, string>(StringComparer.Ordinal);
        var deadline = DateTime.UtcNow + grace;
        for (var round = 0; ; round++)
        {
            var entries = ledger.Snapshot();
            // While callbacks are still arriving, read the table only now and then: it is the slower source.
            if (source is not null && (ledger.AwaitingCallback == 0 || round % 5 == 0))
                await RefreshAsync(source, entries, known, ct);
            var summary = Account(entries, source is null ? null : known, ledger.UnknownTokenCallbacks);
            progress?.Invoke(summary);
            if (summary.Lost == 0 || DateTime.UtcNow >= deadline)
                break;
            await Task.Delay(poll, ct);
        }
        await Task.Delay(lateDuplicates, ct);
        var last = ledger.Snapshot();
        if (source is not null)
            await RefreshAsync(source, last, known, ct);
        return Account(last, source is null ? null : known, ledger.UnknownTokenCallbacks);
    }

    private static async Task RefreshAsync(IStatusSource source, IReadOnlyList<LedgerEntry> entries, Dictionary<string, string> known, CancellationToken ct)
    {
        var open = entries.Where(e => e.RequestId is not null && !(known.TryGetValue(e.RequestId, out var s) && FinalStates.Contains(s)))
            .Select(e => e.RequestId!).ToList();
        if (open.Count == 0)
            return;
        foreach (var (id, status) in await source.StatusesAsync(open, ct))
            known[id] = status;
    }
}
