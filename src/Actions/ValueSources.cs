namespace ExternalAction.Actions;

/// <summary>The sources a <see cref="ValueMapping"/> may name.</summary>
public static class ValueSources
{
    public const string Constant = "constant";
    public const string Request = "request";
    public const string Response = "response";

    public static IReadOnlyList<string> All { get; } = [Constant, Request, Response];
}
