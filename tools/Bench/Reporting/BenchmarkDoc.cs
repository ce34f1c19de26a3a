using System.Globalization;
using System.Text;
using ExternalAction.Bench.Baseline;
using ExternalAction.Bench.EndToEnd;

namespace ExternalAction.Bench.Reporting;

/// <summary>What the generated section of docs/benchmarks.md is made of.</summary>
/// <param name="Header">Date, commit, machine and versions, one paragraph.</param>
/// <param name="Commands">The exact commands of the run.</param>
/// <param name="Images">Relative path prefix from the document to the copied plots (e.g. <c>bench/</c>).</param>
internal sealed record DocInputs(BenchResult? All, BenchResult? EndToEnd, BenchResult? Max, string Header, string Commands, string Images);

/// <summary>
/// The "latest run" section of docs/benchmarks.md, generated from the results of <c>all</c>, <c>e2e</c> and <c>max</c>:
/// the numbers against DESIGN.md's performance targets, the tables, and the plots. It replaces whatever is between
/// <see cref="Start"/> and <see cref="End"/>; the hand-written analysis around it stays.
/// </summary>
internal static class BenchmarkDoc
{
    public const string Start = "<!-- bench:latest:start -->";
    public const string End = "<!-- bench:latest:end -->";
    public const double AckP99TargetMs = 10, AckTargetRate = 1000, EndToEndP99TargetMs = 50, EndToEndTargetRate = 500;

    public static string Section(DocInputs inputs)
    {
        var text = new StringBuilder();
        text.AppendLine(Start);
        text.AppendLine("<!-- Written by bench/run.sh (ExternalAction.Bench report); edits between these markers are overwritten. -->");
        text.AppendLine("## Latest run");
        text.AppendLine();
        text.AppendLine(inputs.Header);
        text.AppendLine();
        text.AppendLine("```bash");
        text.AppendLine(inputs.Commands.TrimEnd());
        text.AppendLine("```");
        text.AppendLine();
        text.AppendLine("### Against the targets in DESIGN.md");
        text.AppendLine();
        text.Append(TargetTable(inputs));
        if (inputs.All is { } all)
        {
            text.AppendLine();
            text.AppendLine("### Intake against the naive confirm-per-request baseline and the floor (same run, open loop)");
            text.AppendLine();
            text.Append(LatencyReport.MarkdownTable(all.Runs));
            if (all.Ratios is { } ratios)
                text.AppendLine().Append(ComparisonCommand.RatioTable(ratios));
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"![intake, naive baseline and floor: latency by percentile]({inputs.Images}all-latency.svg)");
        }
        if (inputs.EndToEnd is { } e2e)
        {
            text.AppendLine();
            text.AppendLine("### End to end (instant channel and callback endpoint hosted by the tool)");
            text.AppendLine();
            text.Append(LatencyReport.MarkdownTable(e2e.Runs));
            if (e2e.Accounting is { } accounting)
                text.AppendLine().Append(EndToEndCommand.AccountingTable(accounting, TimeSpan.FromSeconds(Grace(e2e))));
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"![acknowledgement and end-to-end latency by percentile]({inputs.Images}e2e-latency.svg)");
        }
        if (inputs.Max is { } max)
        {
            text.AppendLine();
            text.AppendLine("### Closed loop (maximum sustainable intake rate)");
            text.AppendLine();
            text.Append(LatencyReport.MarkdownTable(max.Runs));
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"![closed loop: latency by percentile per worker count]({inputs.Images}max-latency.svg)");
        }
        text.AppendLine(End);
        return text.ToString();
    }

    /// <summary>Each DESIGN.md target with the measured number and, when missed, by how much.</summary>
    public static string TargetTable(DocInputs inputs)
    {
        var text = new StringBuilder("| target | measured | verdict |\n|---|---|---|\n");
        void Row(string target, string measured, string verdict) => text.AppendLine(CultureInfo.InvariantCulture, $"| {target} | {measured} | {verdict} |");

        if (inputs.All?.Ratios is { Count: > 0 } ratios)
        {
            var worst = ratios.Min(r => r.ThroughputVsNaive);
            var measured = string.Join(", ", ratios.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.ThroughputVsNaive:0.00}× at {r.Rate:0} req/s")));
            // The open loop offers both the same rate; 1 % below is the noise of when the last answers land.
            Row("intake throughput ≥ naive confirm-per-request endpoint, same run", measured,
                worst >= 0.99 ? "met" : string.Create(CultureInfo.InvariantCulture, $"**missed** by {(1 - worst) * 100:0}%"));
        }
        else
        {
            Row("intake throughput ≥ naive confirm-per-request endpoint, same run", "not measured", "—");
        }

        var ack = inputs.All?.Runs.FirstOrDefault(r => r.Name == $"intake@{AckTargetRate:0}");
        Row($"ack p99 ≤ {AckP99TargetMs:0} ms at {AckTargetRate:0} req/s", ack is null ? "not measured" : Ms(ack.P99Ms), Verdict(ack?.P99Ms, AckP99TargetMs));

        var e2e = inputs.EndToEnd?.Runs.FirstOrDefault(r => r.Name.StartsWith("end-to-end@", StringComparison.Ordinal));
        var e2eAtTarget = e2e is not null && Math.Abs(e2e.TargetRate - EndToEndTargetRate) < 0.5;
        Row($"end-to-end p99 ≤ {EndToEndP99TargetMs:0} ms at {EndToEndTargetRate:0} req/s",
            e2e is null ? "not measured" : Ms(e2e.P99Ms) + (e2eAtTarget ? "" : string.Create(CultureInfo.InvariantCulture, $" (at {e2e.TargetRate:0} req/s)")),
            e2eAtTarget ? Verdict(e2e!.P99Ms, EndToEndP99TargetMs) : "—");

        if (inputs.EndToEnd?.Accounting is { } a)
            Row("zero loss: every 200 ends in exactly one recorded outcome",
                string.Create(CultureInfo.InvariantCulture, $"{a.Lost} lost, {a.Duplicated} duplicated of {a.Acknowledged} acknowledged{(a.StatusChecked ? "" : " (status table not checked)")}"),
                a.Clean ? "met" : "**missed**");
        else
            Row("zero loss: every 200 ends in exactly one recorded outcome", "not measured", "—");

        Row("maximum sustainable intake rate (closed loop, no failed request)",
            inputs.Max?.Max is { } max ? string.Create(CultureInfo.InvariantCulture, $"{max.Rate:0} req/s ({max.Workers} workers, p99 {max.P99Ms:0.0} ms)") : "not measured",
            "no target; for reference");
        return text.ToString();
    }

    /// <summary>Puts <paramref name="section"/> between the markers of <paramref name="document"/>, or appends it when they are missing.</summary>
    public static string Replace(string document, string section)
    {
        var start = document.IndexOf(Start, StringComparison.Ordinal);
        var end = document.IndexOf(End, StringComparison.Ordinal);
        if (start < 0 || end < start)
            return document.TrimEnd() + "\n\n" + section;
        var after = end + End.Length;
        if (after < document.Length && document[after] == '\n')
            after++;
        return document[..start] + section + document[after..];
    }

    private static string Verdict(double? measuredMs, double targetMs) => measuredMs switch
    {
        null => "—",
        var ms when ms <= targetMs => "met",
        var ms => string.Create(CultureInfo.InvariantCulture, $"**missed** by {ms / targetMs:0.#}×"),
    };

    private static string Ms(double ms) => ms >= 1000
        ? string.Create(CultureInfo.InvariantCulture, $"{ms / 1000:0.00} s")
        : string.Create(CultureInfo.InvariantCulture, $"{ms:0.00} ms");

    private static double Grace(BenchResult e2e) =>
        e2e.Options.TryGetValue("grace", out var g) && double.TryParse(g, CultureInfo.InvariantCulture, out var seconds) ? seconds : 60;
}
