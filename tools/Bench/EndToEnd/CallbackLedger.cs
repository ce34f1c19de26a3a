using System.Collections.Concurrent;

namespace ExternalAction.Bench.EndToEnd;

/// <summary>What the ledger knows about one request at the time of a snapshot.</summary>
/// <param name="RequestId">Our requestId from the 200, or null when the intake did not answer 200.</param>
/// <param name="Callbacks">Callbacks the sink accepted for this request's token.</param>
/// <param name="RequestIdMismatch">A callback carried an X-Request-Id other than the requestId of the 200.</param>
/// <param name="ReportedFailure">A callback said <c>activityData.success: false</c>.</param>
internal sealed record LedgerEntry(string Token, string? RequestId, int Callbacks, bool RequestIdMismatch, bool ReportedFailure);

/// <summary>
/// Every request of a run by token: when it was sent, the requestId it was acknowledged with, and each callback the
/// sink accepted for it (matched by <c>X-Callback-Token</c>). The outcome accounting reads its snapshots.
/// </summary>
internal sealed class CallbackLedger
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private long _unknownTokens;
    private long _awaiting;
    private long _firstCallbacks;

    private sealed class Entry(long sentTicks, bool measured)
    {
        public readonly long SentTicks = sentTicks;
        public readonly bool Measured = measured;
        public string? RequestId;
        public string? CallbackRequestId;
        public bool RequestIdMismatch;
        public bool ReportedFailure;
        public int Callbacks;
    }

    /// <summary>
    /// Sees the first callback of each measured request: its send time and its latency (stopwatch ticks), for commands
    /// that split the end-to-end latency by when requests were sent (<c>e2e-max</c>'s steps). Set before the load starts.
    /// </summary>
    public Action<long, long>? OnFirstCallback { get; set; }

    /// <summary>Requests that have had at least one callback (any run phase).</summary>
    public long CalledBackCount => Interlocked.Read(ref _firstCallbacks);

    /// <summary>Callbacks whose token this run never sent.</summary>
    public long UnknownTokenCallbacks => Interlocked.Read(ref _unknownTokens);

    /// <param name="measured">False for warm-up requests: accounted like the others, but no latency sample.</param>
    public void Sent(string token, long ticks, bool measured = true) => _entries[token] = new Entry(ticks, measured);

    public void Acknowledged(string token, string requestId)
    {
        if (!_entries.TryGetValue(token, out var entry))
            return;
        lock (entry)
        {
            if (entry.RequestId is null && entry.Callbacks == 0)
                Interlocked.Increment(ref _awaiting);
            entry.RequestId = requestId;
            entry.RequestIdMismatch |= entry.CallbackRequestId is not null && entry.CallbackRequestId != requestId;
        }
    }

    /// <summary>
    /// Records a callback. Returns the latency (ticks from the request's send time) of the first callback of a known,
    /// measured token; null for a duplicate, a warm-up request or an unknown token.
    /// </summary>
    public long? Callback(string token, string? requestId, bool success, long ticks)
    {
        if (!_entries.TryGetValue(token, out var entry))
        {
            Interlocked.Increment(ref _unknownTokens);
            return null;
        }
        long latency;
        lock (entry)
        {
            entry.Callbacks++;
            if (entry.Callbacks == 1)
            {
                Interlocked.Increment(ref _firstCallbacks);
                if (entry.RequestId is not null)
                    Interlocked.Decrement(ref _awaiting);
            }
            entry.ReportedFailure |= !success;
            // The callback may overtake the 200 it belongs to: compare whichever side arrives second.
            entry.CallbackRequestId ??= requestId;
            entry.RequestIdMismatch |= entry.RequestId is not null && requestId != entry.RequestId;
            if (entry.Callbacks != 1 || !entry.Measured)
                return null;
            latency = ticks - entry.SentTicks;
        }
        OnFirstCallback?.Invoke(entry.SentTicks, latency);
        return latency;
    }

    public int AcknowledgedCount => _entries.Values.Count(e => Volatile.Read(ref e.RequestId) is not null);

    /// <summary>Acknowledged requests that have not had a callback yet.</summary>
    /// <remarks>Kept as a counter (not a scan): <c>e2e-max</c> reads it four times a second as its backlog.</remarks>
    public int AwaitingCallback => (int)Interlocked.Read(ref _awaiting);

    public IReadOnlyList<LedgerEntry> Snapshot() => _entries.Select(p =>
    {
        lock (p.Value)
            return new LedgerEntry(p.Key, p.Value.RequestId, p.Value.Callbacks, p.Value.RequestIdMismatch, p.Value.ReportedFailure);
    }).ToList();
}
