using ExternalAction.Bench.Load;
using ExternalAction.Bench.Reporting;
using HdrHistogram;

namespace ExternalAction.Bench.Cli;

/// <summary>One measured open-loop run: its report and the histogram it came from (for the plot).</summary>
internal sealed record Measured(LatencyReport Report, LongHistogram Histogram, LoadResult Load);

/// <summary>Open-loop runs with a progress line, shared by the commands.</summary>
internal static class Measurement
{
    /// <param name="onSent">Sees each body as its request is built, with the intended send time (e.g. for the callback ledger).</param>
    /// <param name="onResponse">Reads each answer; gets the request's body index (<paramref name="firstIndex"/> + its place in the run).</param>
    /// <param name="firstIndex">Index of the run's first body, so that runs of one process never repeat a token.</param>
    /// <param name="counters">The run's live counters, when the caller reads them too (e2e-max's backlog counts requests in flight).</param>
    public static async Task<Measured> OpenLoopAsync(BenchContext context, string label, Target target, double rate, TimeSpan duration,
        string callbackBase, Action<Body, long>? onSent = null, Func<long, HttpResponseMessage, Task>? onResponse = null, Func<string>? extraProgress = null,
        long firstIndex = 0, LiveCounters? counters = null)
    {
        counters ??= new LiveCounters();
        var generator = new LoadGenerator(context.Http);
        LoadResult result;
        var cpuBefore = context.Cpu.Sample();
        await using (ProgressLine.ForRun(context.Error, label, duration, counters, extraProgress))
        {
            result = await generator.OpenLoopAsync(new OpenLoopSchedule(rate, duration), (index, due) =>
            {
                var request = context.Request(target, firstIndex + index, callbackBase, out var body);
                onSent?.Invoke(body, due);
                return request;
            }, onResponse is null ? null : (index, response) => onResponse(firstIndex + index, response), counters);
        }
        var report = LatencyReport.From(label, rate, result.Seconds, result.Sent, result.Latency, result.ByStatus, result.Dropped, result.SendLag) with
        {
            CpuMsPerRequest = ProcessCpu.PerRequest(cpuBefore, context.Cpu.Sample(), result.Latency.TotalCount),
        };
        return new Measured(report, result.Latency, result);
    }

    /// <summary>
    /// Default unrecorded warm-up per run. Tiered JIT compilation (tier 0, instrumented tier, tier 1) of the hosts and of
    /// this tool goes on for tens of seconds of traffic: in a profile 5–17 s after start-up the background compiler took
    /// 54 % of the Api's CPU and 17 % of the Processor's (docs/benchmarks.md). A 3 s warm-up measured start-up, not the
    /// steady state the targets are about; 15 s at up to 100 req/s lets tiering settle.
    /// </summary>
    public const double WarmUpSeconds = 15;

    /// <summary>Warm-up bodies are numbered from here, far from the measured ones, so their tokens never collide.</summary>
    public const long WarmUpIndex = 1_000_000_000L;

    /// <summary>Unrecorded load, so the first measured run is not charged for JIT and connection set-up.</summary>
    public static async Task<LoadResult?> WarmUpAsync(BenchContext context, Target target, double rate, TimeSpan duration, string callbackBase)
    {
        if (duration <= TimeSpan.Zero)
            return null;
        return await new LoadGenerator(context.Http).OpenLoopAsync(new OpenLoopSchedule(rate, duration),
            (index, _) => context.Request(target, WarmUpIndex + index, callbackBase, out var _));
    }
}
