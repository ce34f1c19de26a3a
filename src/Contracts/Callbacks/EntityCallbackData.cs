using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace ExternalAction.Contracts.Callbacks;

/// <summary><c>leadData</c> or <c>accountData</c> of a callback: the id, mapped fields and accessor values.</summary>
public sealed record EntityCallbackData
{
    public required long Id { get; init; }
    public JsonObject? AccessorValues { get; init; }

    // A dictionary rather than JsonObject: System.Text.Json does not flatten a JsonObject extension member on write.
    [JsonExtensionData]
    public Dictionary<string, object?>? Fields { get; init; }
}
