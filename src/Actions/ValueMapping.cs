using System.Text.Json.Nodes;

namespace ExternalAction.Actions;

/// <summary>
/// Where a computed value comes from: a <c>constant</c> (<see cref="Value"/>), a field of the execution request
/// (<c>request</c>, <see cref="Path"/> such as <c>objectData.flowStepContext.tier</c>), a field of the channel's
/// JSON response (<c>response</c>, <see cref="Path"/> such as <c>$.data.score</c>).
/// </summary>
public sealed record ValueMapping
{
    public required string Source { get; init; }
    public JsonNode? Value { get; init; }
    public string? Path { get; init; }
}
