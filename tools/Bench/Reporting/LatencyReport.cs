using System.Globalization;
using System.Text;
using HdrHistogram;

namespace ExternalAction.Bench.Reporting;

/// <summary>
/// One measured run: percentiles from an HdrHistogram of microseconds, throughput (answered per second), answers by
/// status code (or by exception name for requests that got none), and — for open-loop runs — how late the generator
/// itself sent (p99 of actual minus intended send time: its own share of the latency, high when it lacks CPU).
/// </summary>
internal sealed record LatencyReport(
    string Name, double TargetRate, double DurationSeconds, long Sent, long Completed, double Throughput,
    double P50Ms, double P90Ms, double P99Ms, double P999Ms, double MaxMs,
    IReadOnlyDictionary<string, long> ByStatus, long Dropped = 0, double? SendLagP99Ms = null)
{
    /// <summary>CPU per answered request of each process given with <c>--cpu</c>, over this run (<see cref="ProcessCpu"/>).</summary>
    public IReadOnlyDictionary<string, double>? CpuMsPerRequest { get; init; }

    /// <summary>Two minutes: anything slower is recorded as two minutes.</summary>
    public const long HighestMicros = 120_000_000;

    public static LongHistogram NewHistogram() => new(HighestMicros, 3);

    /// <summary>Answers outside 2xx plus requests without an answer.</summary>
    public long Errors => ByStatus.Where(s => !s.Key.StartsWith('2')).Sum(s => s.Value);

    public static LatencyReport From(string name, double rate, double seconds, long sent, LongHistogram histogram,
        IReadOnlyDictionary<string, long> byStatus, long dropped = 0, LongHistogram? sendLag = null)
    {
        var completed = histogram.TotalCount;
        double At(double percentile) => completed == 0 ? 0 : histogram.GetValueAtPercentile(percentile) / 1000.0;
        return new LatencyReport(name, rate, seconds, sent, completed, completed / Math.Max(seconds, 1e-9),
            At(50), At(90), At(99), At(99.9), completed == 0 ? 0 : histogram.GetMaxValue() / 1000.0,
            byStatus, dropped, sendLag is null || sendLag.TotalCount == 0 ? null : sendLag.GetValueAtPercentile(99) / 1000.0);
    }

    public static string MarkdownTable(IEnumerable<LatencyReport> reports)
    {
        var text = new StringBuilder();
        text.AppendLine("| run | target req/s | achieved req/s | sent | answered | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | answers by status | send lag p99 ms |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in reports)
        {
            var statuses = string.Join(" ", r.ByStatus.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key}:{s.Value}"));
            if (r.Dropped > 0)
                statuses += $" dropped:{r.Dropped}";
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Name} | {(r.TargetRate > 0 ? r.TargetRate.ToString("0", CultureInfo.InvariantCulture) : "closed loop")} | {r.Throughput:0.0} | {r.Sent} | {r.Completed} | {r.P50Ms:0.00} | {r.P90Ms:0.00} | {r.P99Ms:0.00} | {r.P999Ms:0.00} | {r.MaxMs:0.00} | {statuses} | {(r.SendLagP99Ms is { } lag ? lag.ToString("0.00", CultureInfo.InvariantCulture) : "—")} |");
        }
        return text.ToString();
    }
}
