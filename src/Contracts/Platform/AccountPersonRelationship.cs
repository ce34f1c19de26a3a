using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using ExternalAction.Contracts.Json;

namespace ExternalAction.Contracts.Platform;

/// <summary>One person in an accountPerson request. Ids are int64 (numbers or digit strings accepted).</summary>
public sealed record AccountPersonRelationship
{
    [JsonConverter(typeof(FlexibleInt64Converter))] public long? AccountPersonRelId { get; init; }
    [JsonConverter(typeof(FlexibleInt64Converter))] public long? AccountId { get; init; }
    [JsonConverter(typeof(FlexibleInt64Converter))] public long? PersonId { get; init; }
    public string? MktoGuid { get; init; }
    public bool? IsEmployee { get; init; }
    public JsonObject? LeadData { get; init; }
    public JsonObject? RelationshipMetadata { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; init; }
}
