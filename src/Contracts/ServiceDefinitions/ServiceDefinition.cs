namespace ExternalAction.Contracts.ServiceDefinitions;

/// <summary>What <c>GET /getServiceDefinition</c> returns (contract §1).</summary>
public sealed record ServiceDefinition
{
    public string? ApiName { get; init; }
    public ServiceI18n? I18n { get; init; }
    public string? Description { get; init; }
    public string? PrimaryAttribute { get; init; }
    public string? SupportedEntityType { get; init; }
    public bool? EnableSplitPaths { get; init; }
    public int? Timeout { get; init; }
    public InvocationPayloadDef? InvocationPayloadDef { get; init; }
    public CallbackPayloadDef? CallbackPayloadDef { get; init; }
    /// <summary>Mentioned in the guides' prose only; emitted when configured.</summary>
    public string? ServiceVersion { get; init; }
}
