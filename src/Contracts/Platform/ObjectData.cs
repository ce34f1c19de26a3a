using System.Text.Json.Nodes;

namespace ExternalAction.Contracts.Platform;

/// <summary><c>objectData</c>: one entity (not an array) with the journey node's flow attribute values.</summary>
public sealed record ObjectData
{
    public string? ObjectType { get; init; }
    public ObjectContext? ObjectContext { get; init; }
    public JsonObject? FlowStepContext { get; init; }
}
