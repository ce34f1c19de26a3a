namespace ExternalAction.Contracts.Platform;

/// <summary>The complete operator list of <c>pathDefinition</c> conditions (contract §3.3).</summary>
public static class PathOperators
{
    public const string Is = "is";
    public const string IsNot = "isNot";
    public const string GreaterThan = "greaterThan";
    public const string GreaterThanOrEqual = "greaterThanOrEqual";
    public const string LessThan = "lessThan";
    public const string LessThanOrEqual = "lessThanOrEqual";
    public const string Contains = "contains";
    public const string NotContains = "notContains";

    public static IReadOnlyList<string> All { get; } =
        [Is, IsNot, GreaterThan, GreaterThanOrEqual, LessThan, LessThanOrEqual, Contains, NotContains];

    public static bool IsKnown(string? value) => value is not null && All.Contains(value);
}
