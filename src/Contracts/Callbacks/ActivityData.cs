using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace ExternalAction.Contracts.Callbacks;

/// <summary>Outcome of the action; extra keys carry <c>callbackPayloadDef.attributes</c> values.</summary>
public sealed record ActivityData
{
    public required bool Success { get; init; }
    public string? ErrorCode { get; init; }
    public string? Reason { get; init; }

    // A dictionary rather than JsonObject: System.Text.Json does not flatten a JsonObject extension member on write.
    [JsonExtensionData]
    public Dictionary<string, object?>? Attributes { get; init; }
}
