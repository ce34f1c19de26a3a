namespace ExternalAction.Contracts.Platform;

/// <summary>The <c>dataType</c> enum of the reference OpenAPI document.</summary>
public static class DataTypes
{
    public const string String = "string";
    public const string Integer = "integer";
    public const string Float = "float";
    public const string Boolean = "boolean";
    public const string Date = "date";
    public const string DateTime = "datetime";

    public static IReadOnlyList<string> All { get; } = [String, Integer, Float, Boolean, Date, DateTime];

    public static bool IsKnown(string? value) => value is not null && All.Contains(value);
}
