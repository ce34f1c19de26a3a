namespace ExternalAction.Contracts.ServiceDefinitions;

/// <summary>Display name and optional description of an attribute in one language.</summary>
public sealed record AttributeLabel
{
    public string? DisplayName { get; init; }
    public string? Description { get; init; }
}
