using System.Text.Json.Nodes;

namespace ExternalAction.Contracts.Callbacks;

/// <summary>One relationship of an accountPerson callback. No other keys are allowed here by the schema.</summary>
public sealed record AccountPersonCallbackData
{
    public required long AccountPersonRelId { get; init; }
    public required long AccountId { get; init; }
    public required long PersonId { get; init; }
    public JsonObject? LeadData { get; init; }
    public JsonObject? AccessorValues { get; init; }
}
