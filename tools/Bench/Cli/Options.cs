using System.Globalization;

namespace ExternalAction.Bench.Cli;

/// <summary>
/// <c>--name value</c> pairs and <c>--flag</c>s. With <c>--smoke</c> every setting that has a smoke default takes it
/// (a few seconds per step, for CI) unless the option is given explicitly.
/// </summary>
internal sealed class Options
{
    // Values that hold credentials: never written into result files or printed.
    private static readonly string[] Secret = ["key", "support-key", "pg", "rabbit", "secret"];
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public static Options Parse(IEnumerable<string> args)
    {
        var options = new Options();
        var list = args.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            if (!list[i].StartsWith("--", StringComparison.Ordinal))
                throw new ArgumentException($"Unexpected argument '{list[i]}': options are --name value or --flag.");
            var name = list[i][2..];
            var value = i + 1 < list.Count && !list[i + 1].StartsWith("--", StringComparison.Ordinal) ? list[++i] : "true";
            options._values[name] = value;
        }
        return options;
    }

    public bool Smoke => Flag("smoke");

    public bool Flag(string name) => _values.TryGetValue(name, out var v) && v is "true" or "1" or "yes";

    public string Get(string name, string fallback, string? smoke = null) =>
        _values.TryGetValue(name, out var v) ? v : Smoke && smoke is not null ? smoke : fallback;

    public bool TryGet(string name, out string value) => _values.TryGetValue(name, out value!);

    public string Require(string name) =>
        _values.TryGetValue(name, out var v) ? v : throw new ArgumentException($"--{name} is required for this command.");

    public double Number(string name, double fallback, double? smoke = null) =>
        Parse(name, Get(name, fallback.ToString(CultureInfo.InvariantCulture), smoke?.ToString(CultureInfo.InvariantCulture)));

    public int Integer(string name, int fallback, int? smoke = null) => (int)Number(name, fallback, smoke);

    public TimeSpan Seconds(string name, double fallback, double? smoke = null) => TimeSpan.FromSeconds(Number(name, fallback, smoke));

    /// <summary>A comma-separated list of numbers, e.g. <c>--rates 200,500,1000</c>.</summary>
    public double[] Numbers(string name, string fallback, string? smoke = null) =>
        Get(name, fallback, smoke).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(v => Parse(name, v)).ToArray();

    /// <summary>The options as given, with credentials masked: safe to write into result files.</summary>
    public IReadOnlyDictionary<string, string> ForRecord() =>
        _values.ToDictionary(p => p.Key, p => Secret.Contains(p.Key) ? "***" : p.Value, StringComparer.Ordinal);

    private static double Parse(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new ArgumentException($"--{name} must be a number, not '{value}'.");
}
