using System.Text.Json.Nodes;
using ExternalAction.Actions;

namespace ExternalAction.Processor.Accessors;

/// <summary>
/// Reads one configured value: a <c>constant</c>, a field of the execution request (<c>request</c>, the request as
/// serialized with <c>ContractJson.Options</c>), or a field of the channel's JSON answer (<c>response</c>). Paths use the
/// <see cref="JsonPath"/> subset. Anything missing (or a path outside the subset) reads as null.
/// </summary>
public static class ValueMappingReader
{
    /// <summary>Request paths starting with <c>relationship.</c> read from the accountPerson relationship being computed.</summary>
    public const string RelationshipRoot = "relationship.";

    public static JsonNode? Read(ValueMapping mapping, JsonNode requestJson, JsonNode? responseJson, JsonNode? relationshipJson = null) =>
        mapping.Source switch
        {
            ValueSources.Constant => mapping.Value?.DeepClone(),
            ValueSources.Request when IsPerRelationship(mapping) =>
                JsonPath.Select(relationshipJson, mapping.Path![RelationshipRoot.Length..])?.DeepClone(),
            ValueSources.Request when mapping.Path is not null => JsonPath.Select(requestJson, mapping.Path)?.DeepClone(),
            ValueSources.Response when mapping.Path is not null => JsonPath.Select(responseJson, mapping.Path)?.DeepClone(),
            _ => null,
        };

    /// <summary>True for a request mapping into the current accountPerson relationship (<c>relationship.…</c>).</summary>
    public static bool IsPerRelationship(ValueMapping mapping) =>
        mapping.Source == ValueSources.Request && mapping.Path?.StartsWith(RelationshipRoot, StringComparison.Ordinal) == true;
}
