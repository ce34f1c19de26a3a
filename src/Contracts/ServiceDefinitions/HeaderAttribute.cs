namespace ExternalAction.Contracts.ServiceDefinitions;

/// <summary>A custom header whose value the admin configures. The guides' <c>headerName</c>/<c>defaultValue</c> shape is read too.</summary>
public sealed record HeaderAttribute
{
    public string? Name { get; init; }
    public string? Value { get; init; }
    public string? Description { get; init; }
    public string? HeaderName { get; init; }
    public string? DefaultValue { get; init; }
}
