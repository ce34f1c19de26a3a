using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using ExternalAction.Bench.Reporting;
using HdrHistogram;

namespace ExternalAction.Bench.Load;

/// <summary>What one load run measured: latency (µs), how late the generator itself sent, answers by status, counts.</summary>
internal sealed record LoadResult(LongHistogram Latency, LongHistogram SendLag, IReadOnlyDictionary<string, long> ByStatus, long Sent, long Dropped, double Seconds);

/// <summary>
/// Drives HTTP load. Open loop: requests leave on the <see cref="OpenLoopSchedule"/> whether or not earlier ones were
/// answered, and latency runs from each request's intended send time. Closed loop: N workers send back to back,
/// each waiting for its answer, to find the highest rate the server sustains.
/// </summary>
internal sealed class LoadGenerator(HttpClient http, int maxOutstanding = 20_000)
{
    /// <param name="make">Builds request <c>index</c>; the second argument is its intended send time (stopwatch timestamp).</param>
    /// <param name="onResponse">Reads an answer (e.g. the requestId of a 200) before it is disposed.</param>
    public async Task<LoadResult> OpenLoopAsync(OpenLoopSchedule schedule, Func<long, long, HttpRequestMessage> make,
        Func<long, HttpResponseMessage, Task>? onResponse = null, LiveCounters? live = null, CancellationToken ct = default)
    {
        var recorder = new Recorder(live);
        var outstanding = 0;
        long dropped = 0;
        var tasks = new List<Task>((int)Math.Min(schedule.Total, 1_000_000));
        var start = Stopwatch.GetTimestamp();
        long next = 0;
        var total = schedule.Total;
        while (next < total && !ct.IsCancellationRequested)
        {
            // Everything due by now leaves now: a late wake-up sends the backlog, each request still timed from its due time.
            for (var dueCount = schedule.DueBy(Stopwatch.GetTimestamp() - start); next < dueCount; next++)
            {
                var due = start + schedule.DueTicks(next);
                if (Volatile.Read(ref outstanding) >= maxOutstanding)
                {
                    // So far behind that every request would be in flight at once: counted and reported, not queued.
                    dropped++;
                    continue;
                }
                Interlocked.Increment(ref outstanding);
                var index = next;
                tasks.Add(Task.Run(async () =>
                {
                    try
                    {
                        await recorder.SendAsync(http, make(index, due), due, index, onResponse, ct);
                    }
                    finally
                    {
                        Interlocked.Decrement(ref outstanding);
                    }
                }, CancellationToken.None));
            }
            if (next >= total)
                break;
            // Sleep, never spin: a yield loop here took two thirds of this tool's CPU at 500 req/s (14 % of the machine the
            // servers under test share). Task.Delay wakes up to ~1 ms late; what is due by then leaves at once and is timed
            // from its due time, so the lateness is charged to the server's latency (conservative), never hidden.
            var wait = start + schedule.DueTicks(next) - Stopwatch.GetTimestamp();
            if (wait > 0)
                await Task.Delay(TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond, wait * TimeSpan.TicksPerSecond / Stopwatch.Frequency)), ct);
        }
        await Task.WhenAll(tasks);
        return recorder.Result(total - dropped, dropped, Stopwatch.GetElapsedTime(start).TotalSeconds);
    }

    /// <summary>Closed loop: <paramref name="workers"/> senders, each sending its next request as soon as the last is answered.</summary>
    public async Task<LoadResult> ClosedLoopAsync(int workers, TimeSpan duration, Func<long, long, HttpRequestMessage> make,
        LiveCounters? live = null, CancellationToken ct = default)
    {
        var recorder = new Recorder(live);
        long counter = -1;
        var start = Stopwatch.GetTimestamp();
        var end = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            while (Stopwatch.GetTimestamp() < end && !ct.IsCancellationRequested)
            {
                var index = Interlocked.Increment(ref counter);
                var sent = Stopwatch.GetTimestamp();
                await recorder.SendAsync(http, make(index, sent), sent, index, null, ct);
            }
        }, CancellationToken.None)));
        return recorder.Result(counter + 1, 0, Stopwatch.GetElapsedTime(start).TotalSeconds);
    }

    /// <summary>Sends one request and records its latency from <c>due</c>, its status, and how late it actually left.</summary>
    private sealed class Recorder(LiveCounters? live)
    {
        private readonly LongHistogram _latency = LatencyReport.NewHistogram();
        private readonly LongHistogram _sendLag = LatencyReport.NewHistogram();
        private readonly ConcurrentDictionary<string, long> _byStatus = new(StringComparer.Ordinal);

        public async Task SendAsync(HttpClient http, HttpRequestMessage request, long due, long index,
            Func<long, HttpResponseMessage, Task>? onResponse, CancellationToken ct)
        {
            using (request)
            {
                Record(_sendLag, Stopwatch.GetTimestamp() - due);
                live?.OnSent();
                try
                {
                    using var response = await http.SendAsync(request, ct);
                    Record(_latency, Stopwatch.GetTimestamp() - due);
                    _byStatus.AddOrUpdate(((int)response.StatusCode).ToString(CultureInfo.InvariantCulture), 1, (_, n) => n + 1);
                    live?.OnCompleted(response.IsSuccessStatusCode);
                    if (onResponse is not null)
                        await onResponse(index, response);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    // No answer at all: counted by kind, outside the latency histogram.
                    _byStatus.AddOrUpdate(e.GetType().Name, 1, (_, n) => n + 1);
                    live?.OnCompleted(false);
                }
            }
        }

        public LoadResult Result(long sent, long dropped, double seconds) =>
            new(_latency, _sendLag, new Dictionary<string, long>(_byStatus, StringComparer.Ordinal), sent, dropped, seconds);

        private static void Record(LongHistogram histogram, long ticks)
        {
            var micros = Math.Clamp(ticks * 1_000_000 / Stopwatch.Frequency, 0, LatencyReport.HighestMicros);
            lock (histogram)
                histogram.RecordValue(micros);
        }
    }
}
