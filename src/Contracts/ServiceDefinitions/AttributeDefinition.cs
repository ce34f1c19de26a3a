namespace ExternalAction.Contracts.ServiceDefinitions;

/// <summary>A global, flow or callback attribute.</summary>
public sealed record AttributeDefinition
{
    public string? ApiName { get; init; }
    public AttributeI18n? I18n { get; init; }
    public string? DataType { get; init; }
    public bool? Required { get; init; }
}
