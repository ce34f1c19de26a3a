using System.Text.Json;
using System.Text.Json.Nodes;
using ExternalAction.Contracts.Platform;
using ExternalAction.Processor.Accessors;

namespace ExternalAction.Processor.PathConditions;

/// <summary>
/// One condition's truth, shared by the split paths (<see cref="PathEvaluator"/>, over accessor values) and the delivery
/// rules (<see cref="Rules.RuleConditions"/>, over a work item's template model): the path operators with typed values
/// (docs/path-conditions.md), plus <c>exists</c>/<c>notExists</c>. A missing or null value, a value that does not read as
/// its type, or a condition value that does not, makes the condition false, never an error.
/// </summary>
public static class ConditionCheck
{
    public const string Exists = "exists";
    public const string NotExists = "notExists";

    public static bool IsKnown(string? op) => PathOperators.IsKnown(op) || op is Exists or NotExists;

    /// <summary>Null when the condition holds, else why not.</summary>
    /// <param name="kind">What <paramref name="name"/> is, for the reason (<c>accessor</c>, <c>field</c>).</param>
    /// <param name="declaredType">The value's data type when declared; else inferred from the JSON value.</param>
    public static string? Check(string kind, string name, JsonNode? actual, string op, IReadOnlyList<string?> raw, string? declaredType)
    {
        var present = actual is not null && !(actual.GetValueKind() == JsonValueKind.String && actual.GetValue<string>().Length == 0);
        if (op == Exists)
            return present ? null : $"{kind} '{name}' has no value";
        if (op == NotExists)
            return present ? $"{kind} '{name}' has a value" : null;
        if (actual is null)
            return $"{kind} '{name}' has no value";
        if (raw.Count == 0)
            return $"{op} on {kind} '{name}' has no value to compare with";
        var type = declaredType is not null && DataTypes.IsKnown(declaredType) ? declaredType : Infer(actual);
        // Typed-in numbers, dates and booleans may carry stray spaces; a string's spaces are part of it.
        var expected = type == DataTypes.String ? raw : raw.Select(v => v?.Trim()).ToList();
        if (!TypedValues.Reads(actual, type))
            return $"{kind} '{name}' does not hold {A(type)}";
        foreach (var value in expected)
        {
            if (!TypedValues.Reads(value, type))
                return $"condition value {(value is null ? "null" : $"'{value}'")} is not {A(type)}";
        }

        var ordered = type is DataTypes.Integer or DataTypes.Float or DataTypes.Date or DataTypes.DateTime;
        if (op is PathOperators.GreaterThan or PathOperators.GreaterThanOrEqual or PathOperators.LessThan or PathOperators.LessThanOrEqual && !ordered)
            return $"{op} does not apply to {A(type)} {kind}";
        if (op is PathOperators.Contains or PathOperators.NotContains && type != DataTypes.String)
            return $"{op} applies to string {kind}s only, '{name}' is {A(type)}";

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
        return holds ? null : $"{name} {op} [{string.Join(", ", raw.Select(v => v ?? "null"))}] is false";
    }

    /// <summary>The type of a value nothing declares, from its JSON kind.</summary>
    private static string Infer(JsonNode value) => value.GetValueKind() switch
    {
        JsonValueKind.Number => DataTypes.Float,
        JsonValueKind.True or JsonValueKind.False => DataTypes.Boolean,
        _ => DataTypes.String,
    };

    private static string A(string type) => type == DataTypes.Integer ? "an integer" : $"a {type}";
}
