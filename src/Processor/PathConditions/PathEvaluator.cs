using System.Text.Json;
using System.Text.Json.Nodes;
using ExternalAction.Contracts.Platform;
using ExternalAction.Contracts.ServiceDefinitions;
using ExternalAction.Processor.Accessors;

namespace ExternalAction.Processor.PathConditions;

/// <summary>The path chosen for one entity (null when none matched) and a short reason for the status table.</summary>
public sealed record PathSelection(string? PathId, string Explanation);

/// <summary>
/// Evaluates <c>actionConfig.pathConfig</c> against accessor values, with the semantics written down in
/// docs/path-conditions.md (the platform leaves them open): top-down, first matching path wins; the conditions of a
/// path are AND-ed; several values on <c>is</c>/<c>contains</c> are OR-ed and <c>isNot</c>/<c>notContains</c> match when
/// none of them does; an empty <c>pathDefinition</c> is the default. A missing or null accessor, an accessor value that
/// does not read as its <c>dataType</c>, or a condition value that does not, makes the condition false — never an error.
/// </summary>
public static class PathEvaluator
{
    private const int MaxExplanation = 500;

    public static PathSelection Select(IReadOnlyList<PathConfig>? paths, JsonObject accessorValues, IReadOnlyList<AccessorMetadata> metadata)
    {
        if (paths is null || paths.Count == 0)
            return new PathSelection(null, "no pathConfig in the request, so no path was selected");
        var types = metadata.Where(m => m.AccessorName is not null && DataTypes.IsKnown(m.DataType))
            .GroupBy(m => m.AccessorName!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().DataType!, StringComparer.Ordinal);

        var misses = new List<string>();
        foreach (var path in paths.OfType<PathConfig>())
        {
            if (path.PathDefinition is not { Count: > 0 } conditions)
                return new PathSelection(path.PathId, Shorten(misses.Count == 0
                    ? $"path '{path.PathId}' is the default (no conditions)"
                    : $"path '{path.PathId}' is the default (no conditions); before it {string.Join("; ", misses)}"));

            var failure = conditions.Select(c => Evaluate(c, accessorValues, types)).FirstOrDefault(why => why is not null);
            if (failure is null)
                return new PathSelection(path.PathId, Shorten($"path '{path.PathId}' matched ({string.Join(" and ", conditions.Select(Describe))})"));
            misses.Add($"'{path.PathId}': {failure}");
        }
        return new PathSelection(null, Shorten($"no path matched and there is no default path ({string.Join("; ", misses)})"));
    }

    /// <summary>Null when the condition holds, else why not.</summary>
    private static string? Evaluate(PathCondition? condition, JsonObject values, Dictionary<string, string> types)
    {
        if (condition is not { Accessor: { } accessor, Operator: { } op, Values: { Count: > 0 } raw })
            return $"condition {Describe(condition)} is incomplete";
        if (!PathOperators.IsKnown(op))
            return $"operator '{op}' is unknown";
        if (!values.TryGetPropertyValue(accessor, out var actual) || actual is null)
            return $"accessor '{accessor}' has no value";
        var type = types.TryGetValue(accessor, out var declared) ? declared : Infer(actual);
        // Typed-in numbers, dates and booleans may carry stray spaces; a string's spaces are part of it.
        var expected = type == DataTypes.String ? raw : raw.Select(v => v?.Trim()).ToList();
        if (!TypedValues.Reads(actual, type))
            return $"accessor '{accessor}' does not hold {A(type)}";
        foreach (var value in expected)
        {
            if (!TypedValues.Reads(value, type))
                return $"condition value {(value is null ? "null" : $"'{value}'")} is not {A(type)}";
        }

        var ordered = type is DataTypes.Integer or DataTypes.Float or DataTypes.Date or DataTypes.DateTime;
        if (op is PathOperators.GreaterThan or PathOperators.GreaterThanOrEqual or PathOperators.LessThan or PathOperators.LessThanOrEqual && !ordered)
            return $"{op} does not apply to {A(type)} accessor";
        if (op is PathOperators.Contains or PathOperators.NotContains && type != DataTypes.String)
            return $"{op} applies to string accessors only, '{accessor}' is {A(type)}";

        var holds = op switch
        {
            PathOperators.Is => expected.Any(v => TypedValues.Compare(actual, v, type) == 0),
            PathOperators.IsNot => !expected.Any(v => TypedValues.Compare(actual, v, type) == 0),
            // Ordering compares with the first value; the UI offers one value for these operators.
            PathOperators.GreaterThan => TypedValues.Compare(actual, expected[0], type) > 0,
            PathOperators.GreaterThanOrEqual => TypedValues.Compare(actual, expected[0], type) >= 0,
            PathOperators.LessThan => TypedValues.Compare(actual, expected[0], type) < 0,
            PathOperators.LessThanOrEqual => TypedValues.Compare(actual, expected[0], type) <= 0,
            PathOperators.Contains => expected.Any(v => actual.GetValue<string>().Contains(v!, StringComparison.OrdinalIgnoreCase)),
            _ => !expected.Any(v => actual.GetValue<string>().Contains(v!, StringComparison.OrdinalIgnoreCase)),
        };
        return holds ? null : $"{Describe(condition)} is false";
    }

    /// <summary>The type of an accessor <c>accessorsMetadata</c> does not declare, from its JSON value.</summary>
    private static string Infer(JsonNode value) => value.GetValueKind() switch
    {
        JsonValueKind.Number => DataTypes.Float,
        JsonValueKind.True or JsonValueKind.False => DataTypes.Boolean,
        _ => DataTypes.String,
    };

    private static string A(string type) => type == DataTypes.Integer ? "an integer" : $"a {type}";

    private static string Describe(PathCondition? c) =>
        c is null ? "null" : $"{c.Accessor} {c.Operator} [{string.Join(", ", (c.Values ?? []).Select(v => v ?? "null"))}]";

    private static string Shorten(string text) => text.Length <= MaxExplanation ? text : text[..(MaxExplanation - 1)] + "…";
}
