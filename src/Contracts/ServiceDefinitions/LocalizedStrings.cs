namespace ExternalAction.Contracts.ServiceDefinitions;

/// <summary>Name and description in one language.</summary>
public sealed record LocalizedStrings
{
    public string? Name { get; init; }
    public string? Description { get; init; }
}
