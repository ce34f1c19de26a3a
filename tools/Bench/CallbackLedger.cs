using System.Collections.Concurrent;

namespace ExternalAction.Bench;

/// <summary>
/// Which requests were acknowledged, when they were sent, and every callback seen for them (matched by the token in
/// X-Callback-Token). Answers the run's accounting: lost (acknowledged, no outcome) and duplicated (more than one callback).
/// </summary>
internal sealed class CallbackLedger
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public sealed class Entry
    {
        public long SentTicks;
        public string? RequestId;
        public int Callbacks;
        public long FirstCallbackTicks;
    }

    public void Sent(string token, long ticks) => _entries[token] = new Entry { SentTicks = ticks };

    public void Acknowledged(string token, string requestId)
    {
        if (_entries.TryGetValue(token, out var entry))
            entry.RequestId = requestId;
    }

    /// <summary>Records a callback; returns the end-to-end latency in ticks for the first one, null for duplicates or strangers.</summary>
    public long? Callback(string token, long ticks)
    {
        if (!_entries.TryGetValue(token, out var entry))
            return null;
        if (Interlocked.Increment(ref entry.Callbacks) != 1)
            return null;
        entry.FirstCallbackTicks = ticks;
        return ticks - entry.SentTicks;
    }

    public IReadOnlyCollection<string> AcknowledgedRequestIds => _entries.Values.Where(e => e.RequestId is not null).Select(e => e.RequestId!).ToList();

    public int AcknowledgedCount => _entries.Values.Count(e => e.RequestId is not null);

    public int WithoutCallback => _entries.Values.Count(e => e.RequestId is not null && e.Callbacks == 0);

    public int Duplicated => _entries.Values.Count(e => e.Callbacks > 1);

    public int CallbacksForUnacknowledged => _entries.Values.Count(e => e.RequestId is null && e.Callbacks > 0);
}
