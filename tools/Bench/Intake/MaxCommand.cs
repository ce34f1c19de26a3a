using System.Globalization;
using System.Text;
using ExternalAction.Bench.Cli;
using ExternalAction.Bench.EndToEnd;
using ExternalAction.Bench.Load;
using ExternalAction.Bench.Reporting;

namespace ExternalAction.Bench.Intake;

/// <summary>
/// <c>max</c>: closed loop with a growing number of concurrent workers (<c>--workers 8,32,128</c>), each sending its
/// next request when the last is answered. The maximum sustainable rate is the best throughput of a step in which
/// every request was answered 2xx (and, with <c>--max-p99-ms</c>, within that p99).
/// </summary>
internal static class MaxCommand
{
    public static async Task<int> RunAsync(BenchContext context)
    {
        var options = context.Options;
        var steps = options.Numbers("workers", "8,32,128", smoke: "2,8").Select(w => (int)w).ToArray();
        var duration = options.Seconds("duration", 10, smoke: 2);
        var p99Limit = options.Number("max-p99-ms", 0);
        var target = context.Intake();
        await using var sink = await CallbackSink.StartAsync(context.SinkPort, new CallbackLedger());
        await Measurement.WarmUpAsync(context, target, 100, options.Seconds("warmup", Measurement.WarmUpSeconds, smoke: 0.5), sink.Url);
        var reports = new List<LatencyReport>();
        var plot = new List<(string, HdrHistogram.LongHistogram)>();
        long offset = 0;
        foreach (var workers in steps)
        {
            var counters = new LiveCounters();
            var label = $"closed-loop-{workers}";
            LoadResult result;
            var first = offset;
            await using (ProgressLine.ForRun(context.Error, label, duration, counters))
                result = await new LoadGenerator(context.Http).ClosedLoopAsync(workers, duration,
                    (index, _) => context.Request(target, first + index, sink.Url, out var _), counters);
            offset += result.Sent;
            var report = LatencyReport.From(label, 0, result.Seconds, result.Sent, result.Latency, result.ByStatus);
            reports.Add(report);
            plot.Add((label, result.Latency));
        }
        var best = Best(reports, steps, p99Limit);
        var markdown = new StringBuilder(LatencyReport.MarkdownTable(reports));
        markdown.AppendLine();
        markdown.AppendLine(best is null
            ? "No step was sustainable (every step had failed requests or exceeded the p99 limit)."
            : string.Create(CultureInfo.InvariantCulture, $"Maximum sustainable intake rate: **{best.Rate:0} req/s** ({best.Workers} workers, p99 {best.P99Ms:0.0} ms, every request answered 2xx)."));
        var problems = best is null ? new[] { "no sustainable step" } : [];
        await context.Results.WriteAsync(options.Get("name", "max"), context.Result("max", reports) with { Max = best, Problems = problems }, markdown.ToString(), plot, context.Out);
        return best is null ? 1 : 0;
    }

    /// <summary>The step with the highest throughput among those without a failed request (and within the p99 limit, if any).</summary>
    public static MaxSustainable? Best(IReadOnlyList<LatencyReport> reports, IReadOnlyList<int> workers, double p99LimitMs = 0) =>
        reports.Select((r, i) => (Report: r, Workers: workers[i]))
            .Where(s => s.Report.Completed > 0 && s.Report.Errors == 0 && (p99LimitMs <= 0 || s.Report.P99Ms <= p99LimitMs))
            .OrderByDescending(s => s.Report.Throughput)
            .Select(s => new MaxSustainable(s.Report.Throughput, s.Workers, s.Report.P99Ms))
            .FirstOrDefault();
}
