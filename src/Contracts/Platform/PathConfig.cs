namespace ExternalAction.Contracts.Platform;

/// <summary>One split path: its id and its conditions (empty = the default path).</summary>
public sealed record PathConfig
{
    public string? PathId { get; init; }
    public List<PathCondition?>? PathDefinition { get; init; }
}
