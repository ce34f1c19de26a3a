using ExternalAction.Bench.Load;
using ExternalAction.Bench.Reporting;
using HdrHistogram;

namespace ExternalAction.Bench.Cli;

/// <summary>
/// Several targets measured side by side at fixed rates, in alternating rounds: per rate, <c>rounds</c> rounds of one
/// window per target, each round starting one target later than the last, and each target's windows pooled into one
/// histogram. Why: on this machine the p99 of anything that waits for a publisher confirm is set by RabbitMQ's fsync
/// stalls, about 1 % of the requests of a 10 s window, which land in one target's window and not the next one's. With
/// one window per target the p99 ratio between two targets said which window a stall fell in (the runs of 2026-12-02
/// swung from 0.09× to 10×); pooled over rounds, every target has the same chance of meeting them.
/// </summary>
internal static class Rounds
{
    /// <summary>The pooled result per target and rate (named <c>target@rate</c>) and every window apart (<c>target@rate#round</c>).</summary>
    public sealed record Result(IReadOnlyList<Measured> Pooled, IReadOnlyList<LatencyReport> Windows);

    /// <param name="onResponse">Reads the answers of one target at one rate (null: nothing to read).</param>
    public static async Task<Result> RunAsync(BenchContext context, IReadOnlyList<Target> targets, IReadOnlyList<double> rates, int rounds,
        TimeSpan duration, TimeSpan pause, string sinkUrl, Func<Target, double, Func<long, HttpResponseMessage, Task>?>? onResponse = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rounds, 1);
        var pooled = new List<Measured>();
        var windows = new List<LatencyReport>();
        // Indexes never repeat within a process: a token or a contact is new in every window, and none is a warm-up's.
        var first = 2 * Measurement.WarmUpIndex;
        foreach (var rate in rates)
        {
            var byTarget = targets.ToDictionary(t => t.Name, _ => new List<Measured>(), StringComparer.Ordinal);
            for (var round = 0; round < rounds; round++)
            {
                foreach (var target in Order(targets, round))
                {
                    var label = rounds == 1 ? $"{target.Name}@{rate:0}" : $"{target.Name}@{rate:0}#{round + 1}";
                    var measured = await Measurement.OpenLoopAsync(context, label, target, rate, duration, sinkUrl, onResponse: onResponse?.Invoke(target, rate), firstIndex: first);
                    first += measured.Load.Sent + measured.Load.Dropped;
                    byTarget[target.Name].Add(measured);
                    windows.Add(measured.Report);
                    await Task.Delay(pause);
                }
            }
            pooled.AddRange(targets.Select(t => Pool($"{t.Name}@{rate:0}", rate, byTarget[t.Name])));
        }
        return new Result(pooled, windows);
    }

    /// <summary>Round <paramref name="round"/>'s order: the targets rotated by the round, so none is always first after a pause.</summary>
    public static IEnumerable<T> Order<T>(IReadOnlyList<T> items, int round) =>
        Enumerable.Range(0, items.Count).Select(i => items[(i + round) % items.Count]);

    /// <summary>One report over several windows of one target at one rate: histograms added, counts summed, CPU weighted by requests.</summary>
    public static Measured Pool(string name, double rate, IReadOnlyList<Measured> windows)
    {
        if (windows.Count == 1)
            return windows[0] with { Report = windows[0].Report with { Name = name } };
        var latency = LatencyReport.NewHistogram();
        var sendLag = LatencyReport.NewHistogram();
        var byStatus = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var window in windows)
        {
            latency.Add(window.Load.Latency);
            sendLag.Add(window.Load.SendLag);
            foreach (var (status, count) in window.Load.ByStatus)
                byStatus[status] = byStatus.GetValueOrDefault(status) + count;
        }
        var load = new LoadResult(latency, sendLag, byStatus, windows.Sum(w => w.Load.Sent), windows.Sum(w => w.Load.Dropped), windows.Sum(w => w.Load.Seconds));
        var report = LatencyReport.From(name, rate, load.Seconds, load.Sent, latency, byStatus, load.Dropped, sendLag) with { CpuMsPerRequest = Cpu(windows) };
        return new Measured(report, latency, load);
    }

    /// <summary>
    /// The median over rounds of one target's p99 divided by another's in the same round (adjacent windows): a second
    /// reading of the ratio that one window's stall cannot move much. Null when either target lacks a window.
    /// </summary>
    public static double? MedianRatio(IReadOnlyList<LatencyReport> windows, string target, string baseline, double rate)
    {
        var ratios = new List<double>();
        for (var round = 1; ; round++)
        {
            var (t, b) = (Window(windows, target, rate, round), Window(windows, baseline, rate, round));
            if (t is null || b is null)
                break;
            ratios.Add(t.P99Ms / Math.Max(b.P99Ms, 0.001));
        }
        if (ratios.Count == 0)
            return null;
        ratios.Sort();
        var middle = ratios.Count / 2;
        return ratios.Count % 2 == 1 ? ratios[middle] : (ratios[middle - 1] + ratios[middle]) / 2;
    }

    /// <summary>Each target's p99 in every round, in round order (empty with one round: the pooled table says it all).</summary>
    public static string WindowTable(IReadOnlyList<LatencyReport> windows)
    {
        var rounds = windows.Where(w => w.Name.Contains('#', StringComparison.Ordinal)).GroupBy(w => w.Name[..w.Name.IndexOf('#', StringComparison.Ordinal)], StringComparer.Ordinal).ToList();
        if (rounds.Count == 0)
            return "";
        var text = new System.Text.StringBuilder("| target | p99 ms of each round, in order |\n|---|---|\n");
        foreach (var target in rounds)
            text.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"| {target.Key} | {string.Join(" · ", target.Select(w => w.P99Ms.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)))} |");
        return text.ToString();
    }

    private static LatencyReport? Window(IReadOnlyList<LatencyReport> windows, string target, double rate, int round) =>
        windows.FirstOrDefault(w => w.Name == $"{target}@{rate:0}#{round}")
        ?? (round == 1 ? windows.FirstOrDefault(w => w.Name == $"{target}@{rate:0}") : null);

    private static IReadOnlyDictionary<string, double>? Cpu(IReadOnlyList<Measured> windows)
    {
        var measured = windows.Where(w => w.Report.CpuMsPerRequest is { Count: > 0 }).ToList();
        if (measured.Count == 0)
            return null;
        var requests = measured.Sum(w => w.Report.Completed);
        return measured.SelectMany(w => w.Report.CpuMsPerRequest!.Select(c => (c.Key, Ms: c.Value * w.Report.Completed)))
            .GroupBy(c => c.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Sum(c => c.Ms) / Math.Max(requests, 1), StringComparer.Ordinal);
    }
}
