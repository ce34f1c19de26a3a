namespace ExternalAction.Contracts.ServiceDefinitions;

/// <summary>What the callback may write back.</summary>
public sealed record CallbackPayloadDef
{
    public List<FieldMapping>? Fields { get; init; }
    public List<FieldMapping>? AccountFields { get; init; }
    public List<AttributeDefinition>? Attributes { get; init; }
}
