namespace ExternalAction.Actions;

/// <summary>The sources a <see cref="ValueMapping"/> may name.</summary>
public static class ValueSources
{
    public const string Constant = "constant";
    public const string Request = "request";
    public const string Response = "response";
    /// <summary>What the delivery step came to: <c>status</c> (delivered, suppressed, capped, none), <c>reason</c>, <c>route</c>.</summary>
    public const string Delivery = "delivery";

    public static IReadOnlyList<string> All { get; } = [Constant, Request, Response, Delivery];
}
