namespace ExternalAction.Contracts.ServiceDefinitions;

/// <summary>An accessor the callback returns in <c>accessorValues</c> for split-path decisions (contract §3.1).</summary>
public sealed record AccessorMetadata
{
    public string? AccessorName { get; init; }
    public string? DataType { get; init; }
    public string? Description { get; init; }
    public AccessorConstraints? Constraints { get; init; }
}
