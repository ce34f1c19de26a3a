using System.Collections.Concurrent;
using System.Diagnostics;
using HdrHistogram;

namespace ExternalAction.Bench;

/// <summary>
/// Drives HTTP load. Open loop: request i is due at start + i/rate and its latency is measured from that intended
/// time, so a stalled server is charged for the requests it delayed (no coordinated omission). Closed loop: N workers
/// send back to back, to find the highest sustainable rate.
/// </summary>
internal sealed class LoadGenerator(HttpClient http, int maxOutstanding = 20_000)
{
    public sealed record Result(LongHistogram Histogram, ConcurrentDictionary<string, long> ByStatus, long Sent, long Dropped, double Seconds);

    /// <summary>When request <paramref name="index"/> is due, in stopwatch ticks after the start.</summary>
    public static long DueTicks(long index, double rate) => (long)(index * (Stopwatch.Frequency / rate));

    public async Task<Result> OpenLoopAsync(double rate, TimeSpan duration, Func<long, HttpRequestMessage> make,
        Func<long, HttpResponseMessage, Task>? onResponse = null, Action<long>? progress = null, CancellationToken ct = default)
    {
        var histogram = LatencyReport.NewHistogram();
        var byStatus = new ConcurrentDictionary<string, long>();
        var total = (long)(rate * duration.TotalSeconds);
        var outstanding = 0;
        long dropped = 0;
        var tasks = new List<Task>((int)Math.Min(total, 1_000_000));
        var start = Stopwatch.GetTimestamp();
        for (long i = 0; i < total && !ct.IsCancellationRequested; i++)
        {
            var due = start + DueTicks(i, rate);
            var wait = due - Stopwatch.GetTimestamp();
            if (wait > Stopwatch.Frequency / 500)
                await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency), ct);
            while (Stopwatch.GetTimestamp() < due)
                Thread.SpinWait(20);
            if (Volatile.Read(ref outstanding) >= maxOutstanding)
            {
                // Too far behind to keep every request in flight: counted, and reported, rather than silently queued.
                Interlocked.Increment(ref dropped);
                continue;
            }
            Interlocked.Increment(ref outstanding);
            var index = i;
            tasks.Add(Task.Run(async () =>
            {
                try
                {
                    using var request = make(index);
                    using var response = await http.SendAsync(request, ct);
                    var micros = (Stopwatch.GetTimestamp() - due) * 1_000_000 / Stopwatch.Frequency;
                    lock (histogram)
                        histogram.RecordValue(Math.Min(micros, LatencyReport.HighestMicros));
                    byStatus.AddOrUpdate(((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture), 1, (_, n) => n + 1);
                    if (onResponse is not null)
                        await onResponse(index, response);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    byStatus.AddOrUpdate(e.GetType().Name, 1, (_, n) => n + 1);
                }
                finally
                {
                    Interlocked.Decrement(ref outstanding);
                }
            }, ct));
            if (i % 500 == 0)
                progress?.Invoke(i);
        }
        await Task.WhenAll(tasks);
        var seconds = (double)(Stopwatch.GetTimestamp() - start) / Stopwatch.Frequency;
        return new Result(histogram, byStatus, total - dropped, dropped, seconds);
    }

    public async Task<Result> ClosedLoopAsync(int workers, TimeSpan duration, Func<long, HttpRequestMessage> make, CancellationToken ct = default)
    {
        var histogram = LatencyReport.NewHistogram();
        var byStatus = new ConcurrentDictionary<string, long>();
        long counter = 0;
        var start = Stopwatch.GetTimestamp();
        var end = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            while (Stopwatch.GetTimestamp() < end && !ct.IsCancellationRequested)
            {
                var index = Interlocked.Increment(ref counter);
                var sent = Stopwatch.GetTimestamp();
                try
                {
                    using var request = make(index);
                    using var response = await http.SendAsync(request, ct);
                    lock (histogram)
                        histogram.RecordValue(Math.Min((Stopwatch.GetTimestamp() - sent) * 1_000_000 / Stopwatch.Frequency, LatencyReport.HighestMicros));
                    byStatus.AddOrUpdate(((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture), 1, (_, n) => n + 1);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    byStatus.AddOrUpdate(e.GetType().Name, 1, (_, n) => n + 1);
                }
            }
        }, ct)));
        return new Result(histogram, byStatus, counter, 0, (double)(Stopwatch.GetTimestamp() - start) / Stopwatch.Frequency);
    }
}
