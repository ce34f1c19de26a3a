namespace ExternalAction.Contracts.Platform;

/// <summary>One condition of a path: accessor, operator and values (always strings on the wire).</summary>
public sealed record PathCondition
{
    public string? Accessor { get; init; }
    public string? Operator { get; init; }
    public List<string?>? Values { get; init; }
}
