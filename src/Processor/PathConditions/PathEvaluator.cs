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
        values.TryGetPropertyValue(accessor, out var actual);
        return ConditionCheck.Check("accessor", accessor, actual, op, raw, types.TryGetValue(accessor, out var declared) ? declared : null);
    }

    internal static string Describe(PathCondition? c) =>
        c is null ? "null" : $"{c.Accessor} {c.Operator} [{string.Join(", ", (c.Values ?? []).Select(v => v ?? "null"))}]";

    private static string Shorten(string text) => text.Length <= MaxExplanation ? text : text[..(MaxExplanation - 1)] + "…";
}
