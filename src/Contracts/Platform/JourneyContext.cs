using System.Text.Json.Serialization;
using ExternalAction.Contracts.Json;

namespace ExternalAction.Contracts.Platform;

/// <summary><c>context.journey</c>. Dates are kept as sent (ISO 8601 strings).</summary>
public sealed record JourneyContext
{
    [JsonConverter(typeof(FlexibleStringConverter))] public string? Id { get; init; }
    public string? Name { get; init; }
    public string? Status { get; init; }
    public string? StartDate { get; init; }
    public string? EndDate { get; init; }
}
