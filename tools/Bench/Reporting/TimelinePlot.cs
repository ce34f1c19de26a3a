using System.Globalization;
using System.Security;
using System.Text;
using ExternalAction.Bench.EndToEnd;

namespace ExternalAction.Bench.Reporting;

/// <summary>
/// The <c>e2e-max</c> run over time as standalone SVG, two panels sharing the time axis: above, the offered rate and
/// the callback rate (req/s); below, the backlog (requests sent and not yet called back). A bounded step shows the two
/// rates together and a flat backlog; the overload shows the backlog climbing, then draining at the consumer's rate.
/// </summary>
internal static class TimelinePlot
{
    private const int Width = 820, Left = 70, Right = 150, Top = 30, PanelHeight = 200, Gap = 40, Bottom = 40;

    public static string Svg(string title, EndToEndMax run)
    {
        var points = run.Timeline;
        var height = Top + PanelHeight + Gap + PanelHeight + Bottom;
        var seconds = points.Count == 0 ? 1 : Math.Max(1, points[^1].Seconds);
        // Callback rate between successive samples, smoothed over about a second (4 samples).
        var callbackRate = new double[points.Count];
        for (var i = 1; i < points.Count; i++)
        {
            var j = Math.Max(0, i - 4);
            var dt = points[i].Seconds - points[j].Seconds;
            callbackRate[i] = dt <= 0 ? 0 : (points[i].CalledBack - points[j].CalledBack) / dt;
        }
        var maxRate = Nice(Math.Max(1, Math.Max(points.Count == 0 ? 1 : points.Max(p => p.OfferedRate), callbackRate.DefaultIfEmpty(0).Max())));
        var maxBacklog = Nice(Math.Max(1, points.Count == 0 ? 1 : points.Max(p => p.Backlog)));
        double X(double s) => Left + ((Width - Left - Right) * s / seconds);
        double YRate(double r) => Top + PanelHeight - (PanelHeight * r / maxRate);
        var backlogTop = Top + PanelHeight + Gap;
        double YBacklog(double b) => backlogTop + PanelHeight - (PanelHeight * b / maxBacklog);

        var svg = new StringBuilder();
        void Line(FormattableString text) => svg.AppendLine(text.ToString(CultureInfo.InvariantCulture));
        Line($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"11\">");
        Line($"<rect width=\"{Width}\" height=\"{height}\" fill=\"white\"/>");
        Line($"<text x=\"{Left}\" y=\"18\" font-size=\"13\">{SecurityElement.Escape(title)}</text>");
        Axes(svg, Top, maxRate, "req/s", X, seconds);
        Axes(svg, backlogTop, maxBacklog, "backlog", X, seconds);
        Line($"<text x=\"{(Left + Width - Right) / 2}\" y=\"{height - 8}\" text-anchor=\"middle\">seconds since the first step</text>");
        if (run.MaxRate is { } max)
            Line($"<line x1=\"{Left}\" y1=\"{YRate(max):0.0}\" x2=\"{Width - Right}\" y2=\"{YRate(max):0.0}\" stroke=\"#2ca02c\" stroke-dasharray=\"4 3\"/>");
        Polyline(svg, points.Select((p, i) => (X(p.Seconds), YRate(p.OfferedRate))), "#1f77b4");
        Polyline(svg, points.Select((p, i) => (X(p.Seconds), YRate(callbackRate[i]))), "#d62728");
        Polyline(svg, points.Select(p => (X(p.Seconds), YBacklog(p.Backlog))), "#9467bd");
        Legend(svg, 0, "#1f77b4", "offered rate");
        Legend(svg, 1, "#d62728", "callbacks/s");
        if (run.MaxRate is not null)
            Legend(svg, 2, "#2ca02c", "max bounded rate");
        Legend(svg, 3, "#9467bd", "backlog (lower panel)");
        Line($"</svg>");
        return svg.ToString();
    }

    private static void Axes(StringBuilder svg, double top, double max, string label, Func<double, double> x, double seconds)
    {
        void Line(FormattableString text) => svg.AppendLine(text.ToString(CultureInfo.InvariantCulture));
        var bottom = top + PanelHeight;
        for (var i = 0; i <= 4; i++)
        {
            var y = bottom - (PanelHeight * i / 4.0);
            Line($"<line x1=\"{Left}\" y1=\"{y:0.0}\" x2=\"{Width - Right}\" y2=\"{y:0.0}\" stroke=\"#eee\"/><text x=\"{Left - 6}\" y=\"{y + 4:0.0}\" text-anchor=\"end\">{max * i / 4:0.#}</text>");
        }
        var tick = Nice(seconds / 8);
        for (var s = 0.0; s <= seconds; s += tick)
            Line($"<text x=\"{x(s):0.0}\" y=\"{bottom + 14:0.0}\" text-anchor=\"middle\">{s:0.#}</text>");
        Line($"<line x1=\"{Left}\" y1=\"{bottom:0.0}\" x2=\"{Width - Right}\" y2=\"{bottom:0.0}\" stroke=\"black\"/><line x1=\"{Left}\" y1=\"{top:0.0}\" x2=\"{Left}\" y2=\"{bottom:0.0}\" stroke=\"black\"/>");
        Line($"<text x=\"14\" y=\"{top + (PanelHeight / 2):0.0}\" transform=\"rotate(-90 14 {top + (PanelHeight / 2):0.0})\" text-anchor=\"middle\">{SecurityElement.Escape(label)}</text>");
    }

    private static void Polyline(StringBuilder svg, IEnumerable<(double X, double Y)> points, string colour) =>
        svg.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.5\" points=\"{string.Join(' ', points.Select(p => FormattableString.Invariant($"{p.X:0.0},{p.Y:0.0}")))}\"/>"));

    private static void Legend(StringBuilder svg, int row, string colour, string text) =>
        svg.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"<rect x=\"{Width - Right + 10}\" y=\"{Top + 6 + (row * 18)}\" width=\"12\" height=\"3\" fill=\"{colour}\"/><text x=\"{Width - Right + 28}\" y=\"{Top + 11 + (row * 18)}\">{SecurityElement.Escape(text)}</text>"));

    /// <summary>The next 1, 2 or 5 × 10ⁿ at or above <paramref name="value"/>, for axis ends and ticks.</summary>
    public static double Nice(double value)
    {
        if (value <= 0)
            return 1;
        var decade = Math.Pow(10, Math.Floor(Math.Log10(value)));
        var step = value / decade;
        return decade * (step <= 1 ? 1 : step <= 2 ? 2 : step <= 5 ? 5 : 10);
    }
}
