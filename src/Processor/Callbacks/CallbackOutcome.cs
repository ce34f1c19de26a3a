using System.Text.Json.Nodes;
using ExternalAction.Processor.Accessors;

namespace ExternalAction.Processor.Callbacks;

/// <summary>What the callback reports: success or a business failure, accessor values, mapped fields and activity attributes.</summary>
public sealed record CallbackOutcome
{
    public required bool Success { get; init; }
    public string? ErrorCode { get; init; }
    public string? Reason { get; init; }
    public AccessorOutcome? Accessors { get; init; }
    public JsonObject? Fields { get; init; }
    public JsonObject? ActivityAttributes { get; init; }
}
