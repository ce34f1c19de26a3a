namespace ExternalAction.Contracts.Platform;

/// <summary><c>actionConfig</c>: minutes allowed for processing and the split-path configuration.</summary>
public sealed record ActionConfig
{
    public int? Timeout { get; init; }
    public List<PathConfig?>? PathConfig { get; init; }
}
