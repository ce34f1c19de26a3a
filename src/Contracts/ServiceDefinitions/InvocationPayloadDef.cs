namespace ExternalAction.Contracts.ServiceDefinitions;

/// <summary>What the platform sends in an execution request.</summary>
public sealed record InvocationPayloadDef
{
    public List<AttributeDefinition>? GlobalAttributes { get; init; }
    public List<AttributeDefinition>? FlowAttributes { get; init; }
    public List<FieldMapping>? Fields { get; init; }
    public List<FieldMapping>? AccountFields { get; init; }
    public List<HeaderAttribute>? Headers { get; init; }
    public bool? JourneyContext { get; init; }
    public bool? SubscriptionContext { get; init; }
    public List<AccessorMetadata>? AccessorsMetadata { get; init; }
}
