namespace ExternalAction.Bench.Load;

/// <summary>Counters a run updates as it goes, read by the progress line.</summary>
internal sealed class LiveCounters
{
    private long _sent;
    private long _completed;
    private long _failed;

    public long Sent => Interlocked.Read(ref _sent);
    public long Completed => Interlocked.Read(ref _completed);

    /// <summary>Answers other than 2xx, and requests that got no answer.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    public long InFlight => Sent - Completed;

    public void OnSent() => Interlocked.Increment(ref _sent);

    public void OnCompleted(bool success)
    {
        Interlocked.Increment(ref _completed);
        if (!success)
            Interlocked.Increment(ref _failed);
    }
}
