using System.Globalization;
using System.Text;
using HdrHistogram;

namespace ExternalAction.Bench;

/// <summary>Latency percentiles (from an HdrHistogram of microseconds), throughput and errors of one measured run.</summary>
internal sealed record LatencyReport(
    string Name, double TargetRate, double DurationSeconds, long Sent, long Completed, double Throughput,
    double P50Ms, double P90Ms, double P99Ms, double P999Ms, double MaxMs, IReadOnlyDictionary<string, long> ByStatus, long Dropped)
{
    public const long HighestMicros = 120_000_000;

    public static LongHistogram NewHistogram() => new(HighestMicros, 3);

    public static LatencyReport From(string name, double rate, double seconds, long sent, LongHistogram histogram, IReadOnlyDictionary<string, long> byStatus, long dropped = 0)
    {
        static double Ms(long micros) => micros / 1000.0;
        var completed = histogram.TotalCount;
        return new LatencyReport(name, rate, seconds, sent, completed, completed / Math.Max(seconds, 1e-9),
            completed == 0 ? 0 : Ms(histogram.GetValueAtPercentile(50)),
            completed == 0 ? 0 : Ms(histogram.GetValueAtPercentile(90)),
            completed == 0 ? 0 : Ms(histogram.GetValueAtPercentile(99)),
            completed == 0 ? 0 : Ms(histogram.GetValueAtPercentile(99.9)),
            completed == 0 ? 0 : Ms(histogram.GetMaxValue()),
            byStatus, dropped);
    }

    public static string MarkdownTable(IEnumerable<LatencyReport> reports)
    {
        var text = new StringBuilder();
        text.AppendLine("| run | target req/s | achieved req/s | sent | completed | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | statuses |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in reports)
            text.AppendLine(CultureInfo.InvariantCulture, $"| {r.Name} | {r.TargetRate:0} | {r.Throughput:0.0} | {r.Sent} | {r.Completed} | {r.P50Ms:0.00} | {r.P90Ms:0.00} | {r.P99Ms:0.00} | {r.P999Ms:0.00} | {r.MaxMs:0.00} | {string.Join(" ", r.ByStatus.OrderBy(s => s.Key).Select(s => $"{s.Key}:{s.Value}"))}{(r.Dropped > 0 ? $" dropped:{r.Dropped}" : "")} |");
        return text.ToString();
    }

    /// <summary>A percentile-distribution plot (x: percentile on a "nines" scale, y: latency in ms) as standalone SVG.</summary>
    public static string Svg(IEnumerable<(string Name, LongHistogram Histogram)> series)
    {
        const int width = 720, height = 420, left = 60, bottom = 50, top = 20, right = 160;
        double[] percentiles = [0, 50, 75, 90, 95, 99, 99.5, 99.9, 99.99];
        var all = series.Where(s => s.Histogram.TotalCount > 0).ToList();
        var maxMs = Math.Max(1, all.Count == 0 ? 1 : all.Max(s => s.Histogram.GetMaxValue() / 1000.0));
        double X(double p) => left + (width - left - right) * (Math.Log10(100.0 / (100.0 - Math.Min(p, 99.99))) / 4.0);
        double Y(double ms) => height - bottom - (height - top - bottom) * (ms / maxMs);
        string[] colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"];
        var svg = new StringBuilder();
        svg.AppendLine(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"11\">");
        svg.AppendLine(CultureInfo.InvariantCulture, $"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>");
        svg.AppendLine(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" y1=\"{height - bottom}\" x2=\"{width - right}\" y2=\"{height - bottom}\" stroke=\"black\"/><line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{height - bottom}\" stroke=\"black\"/>");
        foreach (var p in percentiles)
            svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{X(p):0.0}\" y=\"{height - bottom + 15}\" text-anchor=\"middle\">p{p}</text>");
        for (var i = 0; i <= 4; i++)
        {
            var ms = maxMs * i / 4;
            svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{left - 5}\" y=\"{Y(ms) + 4:0.0}\" text-anchor=\"end\">{ms:0.#}</text><line x1=\"{left}\" y1=\"{Y(ms):0.0}\" x2=\"{width - right}\" y2=\"{Y(ms):0.0}\" stroke=\"#ddd\"/>");
        }
        svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{(left + width - right) / 2}\" y=\"{height - 12}\" text-anchor=\"middle\">percentile</text><text x=\"14\" y=\"{height / 2}\" transform=\"rotate(-90 14 {height / 2})\" text-anchor=\"middle\">latency (ms)</text>");
        for (var s = 0; s < all.Count; s++)
        {
            var points = string.Join(" ", percentiles.Select(p => $"{X(p):0.0},{Y(all[s].Histogram.GetValueAtPercentile(p) / 1000.0):0.0}"));
            var colour = colours[s % colours.Length];
            svg.AppendLine(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{points}\"/>");
            svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{width - right + 8}\" y=\"{top + 14 + (s * 16)}\" fill=\"{colour}\">{System.Security.SecurityElement.Escape(all[s].Name)}</text>");
        }
        svg.AppendLine("</svg>");
        return svg.ToString();
    }
}
