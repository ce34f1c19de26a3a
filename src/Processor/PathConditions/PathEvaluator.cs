using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ExternalAction.Contracts.Platform;
using ExternalAction.Contracts.ServiceDefinitions;

namespace ExternalAction.Processor.PathConditions;

public sealed record PathSelection(string? PathId, string Explanation);

/// <summary>
/// Evaluates <c>actionConfig.pathConfig</c> the way the platform routes: top-down, first matching path wins;
/// conditions of one path are AND-ed; several values on <c>is</c>/<c>contains</c> are OR-ed and
/// <c>isNot</c>/<c>notContains</c> match when none of them does; an empty <c>pathDefinition</c> is the default.
/// A missing or null accessor, or a value that does not parse as the accessor's type, matches no condition
/// (not even a negated one). Strings compare ordinal-ignore-case. Numbers compare as decimals; dates and
/// date-times chronologically; <c>contains</c> is a substring test on strings only. See docs/path-conditions.md.
/// </summary>
public static class PathEvaluator
{
    public static PathSelection Select(IReadOnlyList<PathConfig>? paths, JsonObject accessorValues, IReadOnlyList<AccessorMetadata> metadata)
    {
        if (paths is null || paths.Count == 0)
            return new PathSelection(null, "no pathConfig in the request");
        var types = metadata.Where(m => m.AccessorName is not null)
            .GroupBy(m => m.AccessorName!).ToDictionary(g => g.Key, g => g.First().DataType ?? DataTypes.String, StringComparer.Ordinal);

        foreach (var path in paths)
        {
            var conditions = path.PathDefinition?.OfType<PathCondition>().ToList() ?? [];
            if (conditions.Count == 0)
                return new PathSelection(path.PathId, $"path '{path.PathId}' is the default (no conditions)");
            var failed = conditions.FirstOrDefault(c => !Matches(c, accessorValues, types));
            if (failed is null)
                return new PathSelection(path.PathId, $"path '{path.PathId}' matched ({string.Join(" and ", conditions.Select(Describe))})");
        }
        return new PathSelection(null, "no path matched and there is no default path");
    }

    public static bool Matches(PathCondition condition, JsonObject values, IReadOnlyDictionary<string, string> types)
    {
        if (condition.Accessor is null || condition.Operator is null || condition.Values is not { Count: > 0 } raw)
            return false;
        if (!values.TryGetPropertyValue(condition.Accessor, out var actual) || actual is null)
            return false;
        var type = types.TryGetValue(condition.Accessor, out var t) ? t : DataTypes.String;
        var expected = raw.OfType<string>().ToList();

        return condition.Operator switch
        {
            PathOperators.Is => Any(actual, expected, type, c => c == 0),
            PathOperators.IsNot => Comparable(actual, type) && !Any(actual, expected, type, c => c == 0),
            PathOperators.GreaterThan => Ordered(type) && Any(actual, expected.Take(1), type, c => c > 0),
            PathOperators.GreaterThanOrEqual => Ordered(type) && Any(actual, expected.Take(1), type, c => c >= 0),
            PathOperators.LessThan => Ordered(type) && Any(actual, expected.Take(1), type, c => c < 0),
            PathOperators.LessThanOrEqual => Ordered(type) && Any(actual, expected.Take(1), type, c => c <= 0),
            PathOperators.Contains => type == DataTypes.String && Text(actual) is { } s && expected.Any(v => s.Contains(v, StringComparison.OrdinalIgnoreCase)),
            PathOperators.NotContains => type == DataTypes.String && Text(actual) is { } s2 && !expected.Any(v => s2.Contains(v, StringComparison.OrdinalIgnoreCase)),
            _ => false,
        };
    }

    private static bool Ordered(string type) => type is DataTypes.Integer or DataTypes.Float or DataTypes.Date or DataTypes.DateTime;

    /// <summary>True when the accessor's value parses as its type (so a negation can be decided at all).</summary>
    private static bool Comparable(JsonNode actual, string type) => Compare(actual, "0", type, probeOnly: true) is not null;

    private static bool Any(JsonNode actual, IEnumerable<string> expected, string type, Func<int, bool> test) =>
        expected.Any(v => Compare(actual, v, type) is { } c && test(c));

    /// <summary>Sign of actual − expected in the accessor's type, or null when either side does not parse.</summary>
    private static int? Compare(JsonNode actual, string expected, string type, bool probeOnly = false)
    {
        switch (type)
        {
            case DataTypes.Integer or DataTypes.Float:
                if (Number(actual) is not { } a) return null;
                if (probeOnly) return 0;
                return decimal.TryParse(expected, NumberStyles.Float, CultureInfo.InvariantCulture, out var e) ? a.CompareTo(e) : null;
            case DataTypes.Boolean:
                if (Boolean(actual) is not { } ab) return null;
                if (probeOnly) return 0;
                return bool.TryParse(expected, out var eb) ? (ab == eb ? 0 : 1) : null;
            case DataTypes.Date:
                if (Text(actual) is not { } ad || !DateOnly.TryParse(ad, CultureInfo.InvariantCulture, out var da)) return null;
                if (probeOnly) return 0;
                return DateOnly.TryParse(expected, CultureInfo.InvariantCulture, out var de) ? da.CompareTo(de) : null;
            case DataTypes.DateTime:
                if (Text(actual) is not { } at || !DateTimeOffset.TryParse(at, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var ta)) return null;
                if (probeOnly) return 0;
                return DateTimeOffset.TryParse(expected, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var te) ? ta.CompareTo(te) : null;
            default:
                if (Text(actual) is not { } s) return null;
                if (probeOnly) return 0;
                return string.Equals(s, expected, StringComparison.OrdinalIgnoreCase) ? 0 : 1;
        }
    }

    private static decimal? Number(JsonNode node) => node.GetValueKind() switch
    {
        JsonValueKind.Number => decimal.TryParse(node.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null,
        JsonValueKind.String => decimal.TryParse(node.GetValue<string>(), NumberStyles.Float, CultureInfo.InvariantCulture, out var s) ? s : null,
        _ => null,
    };

    private static bool? Boolean(JsonNode node) => node.GetValueKind() switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.String => bool.TryParse(node.GetValue<string>(), out var b) ? b : null,
        _ => null,
    };

    private static string? Text(JsonNode node) => node.GetValueKind() switch
    {
        JsonValueKind.String => node.GetValue<string>(),
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => node.ToJsonString(),
        _ => null,
    };

    private static string Describe(PathCondition c) => $"{c.Accessor} {c.Operator} [{string.Join(", ", c.Values ?? [])}]";
}
