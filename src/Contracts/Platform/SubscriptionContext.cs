using System.Text.Json.Serialization;
using ExternalAction.Contracts.Json;

namespace ExternalAction.Contracts.Platform;

/// <summary><c>context.subscription</c>: which customer instance the request comes from.</summary>
public sealed record SubscriptionContext
{
    [JsonConverter(typeof(FlexibleStringConverter))] public string? Prefix { get; init; }
    [JsonConverter(typeof(FlexibleStringConverter))] public string? ImsOrgId { get; init; }
    [JsonConverter(typeof(FlexibleStringConverter))] public string? InstanceName { get; init; }
    [JsonConverter(typeof(FlexibleStringConverter))] public string? MunchkinId { get; init; }
}
