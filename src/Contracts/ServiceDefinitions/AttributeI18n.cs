using System.Text.Json.Serialization;

namespace ExternalAction.Contracts.ServiceDefinitions;

/// <summary>Localized display name of an attribute; <c>en_US</c> is mandatory.</summary>
public sealed record AttributeI18n
{
    [JsonPropertyName("en_US")] public AttributeLabel? EnUs { get; init; }
}
