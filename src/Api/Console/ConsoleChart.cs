using System.Globalization;

namespace ExternalAction.Api.Console;

/// <summary>
/// A line chart drawn as inline SVG by the page itself (no script, no library): evenly spaced buckets on x, one
/// polyline per series. Only numbers and the palette's colours reach the SVG attributes; labels are Razor-encoded text.
/// </summary>
public sealed class ConsoleChart
{
    public const int Width = 900;
    public const int Height = 180;
    public const int Left = 48;
    public const int Bottom = 22;

    public static readonly string[] Palette = ["#1e6b35", "#b3261e", "#8a5a00", "#0b5cad", "#6a3d9a", "#5b6672", "#d0661b", "#138d90"];

    public sealed record Series(string Label, string Color, string Points, double Total);

    public required IReadOnlyList<Series> Lines { get; init; }
    public required double Max { get; init; }
    public required string Unit { get; init; }
    public required string StartLabel { get; init; }
    public required string EndLabel { get; init; }

    public static ConsoleChart Of(IReadOnlyList<(string Label, double[] Values)> series, string unit, DateTimeOffset start, DateTimeOffset end)
    {
        var max = Math.Max(1, series.SelectMany(s => s.Values).DefaultIfEmpty(0).Max());
        var lines = series.Select((s, i) => new Series(s.Label, Palette[i % Palette.Length], Points(s.Values, max), s.Values.Sum())).ToList();
        return new ConsoleChart
        {
            Lines = lines, Max = max, Unit = unit,
            StartLabel = start.UtcDateTime.ToString("HH:mm", CultureInfo.InvariantCulture) + "Z",
            EndLabel = end.UtcDateTime.ToString("HH:mm", CultureInfo.InvariantCulture) + "Z",
        };
    }

    private static string Points(double[] values, double max)
    {
        var plotWidth = Width - Left - 8.0;
        var plotHeight = Height - Bottom - 8.0;
        var step = values.Length > 1 ? plotWidth / (values.Length - 1) : 0;
        return string.Join(' ', values.Select((v, i) => string.Create(CultureInfo.InvariantCulture,
            $"{Left + i * step:0.#},{8 + plotHeight - v / max * plotHeight:0.#}")));
    }

    public static string Number(double value) => value.ToString(value >= 100 ? "0" : "0.#", CultureInfo.InvariantCulture);
}
