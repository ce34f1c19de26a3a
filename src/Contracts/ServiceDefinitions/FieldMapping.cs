namespace ExternalAction.Contracts.ServiceDefinitions;

/// <summary>
/// A person or account field the platform sends or the callback may write. One Adobe sample names fields with
/// <c>apiName</c> + <c>i18n</c> instead of <c>serviceAttribute</c>; those are read and normalised on load.
/// </summary>
public sealed record FieldMapping
{
    public string? ServiceAttribute { get; init; }
    public string? DataType { get; init; }
    public bool? Required { get; init; }
    public string? Description { get; init; }
    public string? ApiName { get; init; }
    public AttributeI18n? I18n { get; init; }
}
