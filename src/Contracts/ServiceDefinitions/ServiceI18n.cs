using System.Text.Json.Serialization;

namespace ExternalAction.Contracts.ServiceDefinitions;

/// <summary>Localized name and description of a service; <c>en_US</c> is mandatory.</summary>
public sealed record ServiceI18n
{
    [JsonPropertyName("en_US")] public LocalizedStrings? EnUs { get; init; }
}
