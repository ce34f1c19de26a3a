using System.Globalization;
using System.Text;
using ExternalAction.Bench.Cli;
using ExternalAction.Bench.EndToEnd;
using ExternalAction.Bench.Intake;
using ExternalAction.Bench.Load;
using ExternalAction.Bench.Reporting;

namespace ExternalAction.Bench.Baseline;

/// <summary>
/// <c>baseline</c>: the floor and the naive confirm-per-request endpoint (both started here) at fixed open-loop rates.
/// <c>all</c>: the same plus our intake at the same rates, in one run, with our throughput and p99 as ratios to them.
/// </summary>
internal static class ComparisonCommand
{
    public static Task<int> BaselineAsync(BenchContext context) => RunAsync(context, "baseline", includeIntake: false);

    public static Task<int> AllAsync(BenchContext context) => RunAsync(context, "all", includeIntake: true);

    private static async Task<int> RunAsync(BenchContext context, string command, bool includeIntake)
    {
        var options = context.Options;
        var rates = options.Numbers("rates", "200,500,1000", smoke: "50");
        var duration = options.Seconds("duration", 10, smoke: 2);
        var warmup = options.Seconds("warmup", Measurement.WarmUpSeconds, smoke: 0.5);
        var pause = options.Seconds("pause", 2, smoke: 0.2);
        await using var sink = await CallbackSink.StartAsync(context.SinkPort, new CallbackLedger());
        await using var reference = await NaiveTarget.StartAsync(options);
        var targets = new List<Target> { new("floor", _ => $"{reference.Url}/floor"), new("naive", _ => $"{reference.Url}/naive") };
        // The naive publish on one shared channel (as MassTransit publishes): what sharing a channel costs at the tail.
        if (options.Flag("naive-shared"))
            targets.Add(new("naive-shared", _ => $"{reference.Url}/naive-shared"));
        // The same with our message's size and headers, straight to the queue (sized) and through two exchange hops as
        // MassTransit routes it (shaped): the broker's share of the intake's tail, size apart from routing.
        if (options.Flag("naive-shaped"))
        {
            targets.Add(new("naive-sized", _ => $"{reference.Url}/naive-sized"));
            targets.Add(new("naive-shaped", _ => $"{reference.Url}/naive-shaped"));
        }
        if (includeIntake)
            targets.Add(context.Intake());

        long naiveAccepted = 0;
        foreach (var target in targets)
            naiveAccepted += Accepted(target.Name, await Measurement.WarmUpAsync(context, target, Math.Min(rates[0], 100), warmup, sink.Url));
        var rounds = await Rounds.RunAsync(context, targets, rates, options.Integer("rounds", 1), duration, pause, sink.Url);
        var measured = rounds.Pooled;
        naiveAccepted += measured.Sum(run => Accepted(run.Report.Name.Split('@')[0], run.Load));

        var reports = measured.Select(m => m.Report).ToList();
        var problems = IntakeCommand.Problems([.. reports]).ToList();
        var queued = await reference.QueuedAsync();
        if (queued is not null && queued != naiveAccepted)
            problems.Add($"naive endpoint: {naiveAccepted} answered 200 but {queued} messages are queued");
        var ratios = includeIntake ? Ratios(reports, rates) : null;
        var markdown = new StringBuilder(LatencyReport.MarkdownTable(reports));
        if (ratios is not null)
            markdown.Append('\n').Append(RatioTable(ratios));
        markdown.Append('\n').Append(Rounds.WindowTable(rounds.Windows));
        markdown.Append(CultureInfo.InvariantCulture, $"\nNaive endpoint: {naiveAccepted} requests answered 200, {(queued is null ? "its queue not checked (--naive without --rabbit)" : $"{queued} messages confirmed in its queue")}.\n");
        if (ProcessCpu.Table(reports) is { Length: > 0 } cpu)
            markdown.Append('\n').Append(cpu);
        var result = context.Result(command, reports) with { Ratios = ratios, Problems = problems };
        await context.Results.WriteAsync(options.Get("name", command), result, markdown.ToString(),
            measured.Select(m => (m.Report.Name, m.Histogram)), context.Out);
        foreach (var problem in problems)
            await context.Error.WriteLineAsync($"problem: {problem}");
        return problems.Count == 0 ? 0 : 1;
    }

    /// <summary>The 200s of a naive target's run (both publish into the checked queue); 0 for any other target.</summary>
    private static long Accepted(string target, LoadResult? result) =>
        target is "naive" or "naive-shared" or "naive-sized" or "naive-shaped" && result is not null ? result.ByStatus.GetValueOrDefault("200") : 0;

    /// <summary>Our intake against the naive baseline and the floor at each rate: throughput ratio (≥ 1 is the target) and p99 ratios.</summary>
    public static IReadOnlyList<IntakeRatio> Ratios(IReadOnlyList<LatencyReport> reports, IEnumerable<double> rates) =>
        rates.Select(rate =>
        {
            LatencyReport Find(string target) => reports.Single(r => r.Name == $"{target}@{rate:0}");
            var (ours, naive, floor) = (Find("intake"), Find("naive"), Find("floor"));
            return new IntakeRatio(rate, ours.Throughput / Math.Max(naive.Throughput, 1e-9),
                ours.P99Ms / Math.Max(naive.P99Ms, 0.001), ours.P99Ms / Math.Max(floor.P99Ms, 0.001));
        }).ToList();

    public static string RatioTable(IEnumerable<IntakeRatio> ratios)
    {
        var text = new StringBuilder("| rate req/s | intake ÷ naive throughput | intake p99 ÷ naive p99 | intake p99 ÷ floor p99 |\n|---|---|---|---|\n");
        foreach (var r in ratios)
            text.AppendLine(CultureInfo.InvariantCulture, $"| {r.Rate:0} | {r.ThroughputVsNaive:0.00} | {r.P99VsNaive:0.0} | {r.P99VsFloor:0.0} |");
        return text.ToString();
    }
}
