using System.Globalization;
using System.Security;
using System.Text;
using HdrHistogram;

namespace ExternalAction.Bench.Reporting;

/// <summary>
/// A latency-by-percentile plot as standalone SVG (the HdrHistogram way of drawing it): x is the percentile on a
/// "nines" scale (p0, p90, p99, p99.9, p99.99), y the latency in ms on a log scale, so a 0.1 ms floor and a
/// 500 ms tail fit one picture.
/// </summary>
internal static class LatencyPlot
{
    private const int Width = 760, Height = 440, Left = 64, Right = 200, Top = 24, Bottom = 50;
    private const double MaxNines = 4; // p99.99
    private static readonly string[] Colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#7f7f7f", "#17becf"];

    /// <summary>x position (0..1) of a percentile: log10(100 / (100 - p)) / MaxNines.</summary>
    public static double Nines(double percentile) => Math.Log10(100.0 / (100.0 - Math.Min(percentile, 99.99))) / MaxNines;

    public static string Svg(string title, IEnumerable<(string Name, LongHistogram Histogram)> series)
    {
        var all = series.Where(s => s.Histogram.TotalCount > 0).ToList();
        var minMs = all.Count == 0 ? 0.1 : Math.Max(0.01, all.Min(s => s.Histogram.GetValueAtPercentile(0) / 1000.0));
        var maxMs = all.Count == 0 ? 1 : Math.Max(minMs * 10, all.Max(s => s.Histogram.GetMaxValue() / 1000.0));
        var lowDecade = Math.Floor(Math.Log10(minMs));
        var highDecade = Math.Ceiling(Math.Log10(maxMs));
        double X(double percentile) => Left + ((Width - Left - Right) * Nines(percentile));
        double Y(double ms) => Height - Bottom - ((Height - Top - Bottom) * (Math.Log10(Math.Max(ms, minMs / 10)) - lowDecade) / (highDecade - lowDecade));

        var svg = new StringBuilder();
        void Line(FormattableString text) => svg.AppendLine(text.ToString(CultureInfo.InvariantCulture));
        Line($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" font-family=\"sans-serif\" font-size=\"11\">");
        Line($"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>");
        Line($"<text x=\"{Left}\" y=\"16\" font-size=\"13\">{SecurityElement.Escape(title)}</text>");
        foreach (var p in new[] { 0, 50, 90, 99, 99.9, 99.99 })
            Line($"<line x1=\"{X(p):0.0}\" y1=\"{Top}\" x2=\"{X(p):0.0}\" y2=\"{Height - Bottom}\" stroke=\"#eee\"/><text x=\"{X(p):0.0}\" y=\"{Height - Bottom + 15}\" text-anchor=\"middle\">p{p}</text>");
        for (var decade = lowDecade; decade <= highDecade; decade++)
        {
            var ms = Math.Pow(10, decade);
            Line($"<line x1=\"{Left}\" y1=\"{Y(ms):0.0}\" x2=\"{Width - Right}\" y2=\"{Y(ms):0.0}\" stroke=\"#ddd\"/><text x=\"{Left - 6}\" y=\"{Y(ms) + 4:0.0}\" text-anchor=\"end\">{ms:0.##}</text>");
        }
        Line($"<line x1=\"{Left}\" y1=\"{Height - Bottom}\" x2=\"{Width - Right}\" y2=\"{Height - Bottom}\" stroke=\"black\"/><line x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{Height - Bottom}\" stroke=\"black\"/>");
        Line($"<text x=\"{(Left + Width - Right) / 2}\" y=\"{Height - 14}\" text-anchor=\"middle\">percentile</text><text x=\"16\" y=\"{Height / 2}\" transform=\"rotate(-90 16 {Height / 2})\" text-anchor=\"middle\">latency (ms, log scale)</text>");
        for (var s = 0; s < all.Count; s++)
        {
            var histogram = all[s].Histogram;
            // 200 points evenly spaced on the nines scale, up to the highest percentile the sample count supports.
            var limit = Math.Min(MaxNines, Math.Log10(Math.Max(histogram.TotalCount, 1)));
            var points = Enumerable.Range(0, 201)
                .Select(i => 100.0 - (100.0 / Math.Pow(10, limit * i / 200.0)))
                .Select(p => FormattableString.Invariant($"{X(p):0.0},{Y(histogram.GetValueAtPercentile(p) / 1000.0):0.0}"));
            var colour = Colours[s % Colours.Length];
            Line($"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{string.Join(' ', points)}\"/>");
            Line($"<rect x=\"{Width - Right + 10}\" y=\"{Top + 6 + (s * 18)}\" width=\"12\" height=\"3\" fill=\"{colour}\"/><text x=\"{Width - Right + 28}\" y=\"{Top + 11 + (s * 18)}\">{SecurityElement.Escape(all[s].Name)}</text>");
        }
        Line($"</svg>");
        return svg.ToString();
    }
}
