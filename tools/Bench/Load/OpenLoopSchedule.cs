using System.Diagnostics;

namespace ExternalAction.Bench.Load;

/// <summary>
/// When each request of an open-loop run is due: request i at start + i/rate, whatever happened to the ones before it.
/// Latency is measured from these intended times, so a stall (of the server or of the generator) is charged to every
/// request it delayed instead of silently lowering the offered rate (no coordinated omission).
/// </summary>
internal readonly record struct OpenLoopSchedule(double Rate, TimeSpan Duration)
{
    public long Total => (long)Math.Round(Rate * Duration.TotalSeconds, MidpointRounding.AwayFromZero);

    /// <summary>Stopwatch ticks after the start at which request <paramref name="index"/> is due.</summary>
    public long DueTicks(long index) => (long)(index * (Stopwatch.Frequency / Rate));

    /// <summary>How many requests are due once <paramref name="elapsedTicks"/> have passed (all of them are sent at once when the generator wakes late).</summary>
    public long DueBy(long elapsedTicks) =>
        elapsedTicks < 0 ? 0 : Math.Min(Total, (long)Math.Floor(elapsedTicks * Rate / Stopwatch.Frequency) + 1);
}
