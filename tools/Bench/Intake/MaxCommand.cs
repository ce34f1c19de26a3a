using System.Globalization;
using System.Text;
using ExternalAction.Bench.Baseline;
using ExternalAction.Bench.Cli;
using ExternalAction.Bench.EndToEnd;
using ExternalAction.Bench.Load;
using ExternalAction.Bench.Reporting;

namespace ExternalAction.Bench.Intake;

/// <summary>
/// <c>max</c>: closed loop with a growing number of concurrent workers (<c>--workers 8,32,128</c>), each sending its
/// next request when the last is answered. The maximum sustainable rate is the best throughput of a step in which
/// every request was answered 2xx (and, with <c>--max-p99-ms</c>, within that p99). With <c>--rabbit</c> (the naive
/// endpoint hosted here) or <c>--naive URL</c> (a naive-endpoint process), each worker count is run against the naive
/// confirm-per-request endpoint first and then our intake, and both maxima are reported with their ratio.
/// </summary>
internal static class MaxCommand
{
    public const string NaivePrefix = "naive-";

    public static async Task<int> RunAsync(BenchContext context)
    {
        var options = context.Options;
        var steps = options.Numbers("workers", "8,32,128", smoke: "2,8").Select(w => (int)w).ToArray();
        var duration = options.Seconds("duration", 10, smoke: 2);
        var p99Limit = options.Number("max-p99-ms", 0);
        var intake = context.Intake();
        var withNaive = !options.Flag("no-naive") && (options.TryGet("rabbit", out _) || options.TryGet("naive", out _));
        await using var sink = await CallbackSink.StartAsync(context.SinkPort, new CallbackLedger());
        await using var naive = withNaive ? await NaiveTarget.StartAsync(options) : null;
        var targets = new List<Target>();
        if (naive is not null)
            targets.Add(new Target("naive", _ => $"{naive.Url}/naive"));
        targets.Add(intake);
        var warmup = options.Seconds("warmup", Measurement.WarmUpSeconds, smoke: 0.5);
        long naiveAccepted = 0;
        foreach (var target in targets)
        {
            var warm = await Measurement.WarmUpAsync(context, target, 100, warmup, sink.Url);
            if (target.Name == "naive" && warm is not null)
                naiveAccepted += warm.ByStatus.GetValueOrDefault("200");
        }
        var reports = new List<LatencyReport>();
        var plot = new List<(string, HdrHistogram.LongHistogram)>();
        long offset = 0;
        foreach (var workers in steps)
        {
            foreach (var target in targets)
            {
                var counters = new LiveCounters();
                var label = $"{(target.Name == "naive" ? NaivePrefix : "")}closed-loop-{workers}";
                LoadResult load;
                var first = offset;
                var cpuBefore = context.Cpu.Sample();
                await using (ProgressLine.ForRun(context.Error, label, duration, counters))
                    load = await new LoadGenerator(context.Http).ClosedLoopAsync(workers, duration,
                        (index, _) => context.Request(target, first + index, sink.Url, out var _), counters);
                offset += load.Sent;
                if (target.Name == "naive")
                    naiveAccepted += load.ByStatus.GetValueOrDefault("200");
                var report = LatencyReport.From(label, 0, load.Seconds, load.Sent, load.Latency, load.ByStatus) with
                {
                    CpuMsPerRequest = ProcessCpu.PerRequest(cpuBefore, context.Cpu.Sample(), load.Latency.TotalCount),
                };
                reports.Add(report);
                plot.Add((label, load.Latency));
            }
        }
        var ours = reports.Where(r => !r.Name.StartsWith(NaivePrefix, StringComparison.Ordinal)).ToList();
        var best = Best(ours, steps, p99Limit);
        var naiveBest = naive is null ? null : Best(reports.Where(r => r.Name.StartsWith(NaivePrefix, StringComparison.Ordinal)).ToList(), steps, p99Limit);
        var markdown = new StringBuilder(LatencyReport.MarkdownTable(reports));
        markdown.AppendLine();
        markdown.AppendLine(best is null
            ? "No step was sustainable (every step had failed requests or exceeded the p99 limit)."
            : string.Create(CultureInfo.InvariantCulture, $"Maximum sustainable intake rate: **{best.Rate:0} req/s** ({best.Workers} workers, p99 {best.P99Ms:0.0} ms, every request answered 2xx)."));
        var problems = new List<string>();
        if (best is null)
            problems.Add("no sustainable step");
        if (naive is not null)
        {
            markdown.AppendLine();
            markdown.AppendLine(NaiveLine(best, naiveBest));
            var queued = await naive.QueuedAsync();
            if (queued is not null && queued != naiveAccepted)
                problems.Add($"naive endpoint: {naiveAccepted} answered 200 but {queued} messages are queued");
        }
        if (ProcessCpu.Table(reports) is { Length: > 0 } cpu)
        {
            markdown.AppendLine().Append(cpu);
            if (CpuRatio(reports) is { } ratio)
                markdown.AppendLine().AppendLine(string.Create(CultureInfo.InvariantCulture,
                    $"CPU per request over all steps: Api {ratio.Api:0.000} ms, naive endpoint {ratio.Naive:0.000} ms: **{ratio.Api / ratio.Naive:0.00}×** (target ≤ 2×)."));
        }
        var result = context.Result("max", reports) with { Max = best, NaiveMax = naiveBest, Problems = problems };
        await context.Results.WriteAsync(options.Get("name", "max"), result, markdown.ToString(), plot, context.Out);
        return best is null || problems.Count > 0 ? 1 : 0;
    }

    /// <summary>The step with the highest throughput among those without a failed request (and within the p99 limit, if any).</summary>
    public static MaxSustainable? Best(IReadOnlyList<LatencyReport> reports, IReadOnlyList<int> workers, double p99LimitMs = 0) =>
        reports.Select((r, i) => (Report: r, Workers: workers[i]))
            .Where(s => s.Report.Completed > 0 && s.Report.Errors == 0 && (p99LimitMs <= 0 || s.Report.P99Ms <= p99LimitMs))
            .OrderByDescending(s => s.Report.Throughput)
            .Select(s => new MaxSustainable(s.Report.Throughput, s.Workers, s.Report.P99Ms))
            .FirstOrDefault();

    /// <summary>The two maxima side by side, with the issue 14 target (our closed-loop maximum ≥ the naive endpoint's).</summary>
    public static string NaiveLine(MaxSustainable? ours, MaxSustainable? naive) => (ours, naive) switch
    {
        ({ } o, { } n) => string.Create(CultureInfo.InvariantCulture,
            $"Naive confirm-per-request endpoint, same run: **{n.Rate:0} req/s** ({n.Workers} workers, p99 {n.P99Ms:0.0} ms); intake ÷ naive = **{o.Rate / n.Rate:0.00}×** (target ≥ 1: {(o.Rate >= n.Rate * 0.99 ? "met" : "missed")})."),
        (_, { } n) => string.Create(CultureInfo.InvariantCulture, $"Naive confirm-per-request endpoint, same run: **{n.Rate:0} req/s** ({n.Workers} workers); the intake had no sustainable step."),
        _ => "Naive confirm-per-request endpoint: no sustainable step.",
    };

    /// <summary>Api CPU per request over the intake steps and the naive endpoint's over the naive steps (<c>--cpu api=…,naive=…</c>).</summary>
    public static (double Api, double Naive)? CpuRatio(IReadOnlyList<LatencyReport> reports)
    {
        double Mean(bool naiveSteps, string process)
        {
            var steps = reports.Where(r => r.Name.StartsWith(NaivePrefix, StringComparison.Ordinal) == naiveSteps
                && r.CpuMsPerRequest?.ContainsKey(process) == true && r.Completed > 0).ToList();
            var requests = steps.Sum(r => r.Completed);
            return requests == 0 ? double.NaN : steps.Sum(r => r.CpuMsPerRequest![process] * r.Completed) / requests;
        }
        var (api, naive) = (Mean(false, "api"), Mean(true, "naive"));
        return double.IsNaN(api) || double.IsNaN(naive) || naive <= 0 ? null : (api, naive);
    }
}
