using System.Text.Json.Nodes;
using ExternalAction.Actions;

namespace ExternalAction.Processor.Accessors;

/// <summary>Reads one configured value: a constant, a field of the execution request, or a field of the channel's JSON answer.</summary>
public static class ValueMappingReader
{
    /// <summary>Request paths starting with <c>relationship.</c> read from the accountPerson relationship being computed.</summary>
    public const string RelationshipRoot = "relationship.";

    public static JsonNode? Read(ValueMapping mapping, JsonNode requestJson, JsonNode? responseJson, JsonNode? relationshipJson = null) =>
        mapping.Source switch
        {
            ValueSources.Constant => mapping.Value?.DeepClone(),
            ValueSources.Request when mapping.Path!.StartsWith(RelationshipRoot, StringComparison.Ordinal) =>
                JsonPath.Select(relationshipJson, mapping.Path[RelationshipRoot.Length..])?.DeepClone(),
            ValueSources.Request => JsonPath.Select(requestJson, mapping.Path!)?.DeepClone(),
            ValueSources.Response => JsonPath.Select(responseJson, mapping.Path!)?.DeepClone(),
            _ => null,
        };

    public static bool IsPerRelationship(ValueMapping mapping) =>
        mapping.Source == ValueSources.Request && mapping.Path?.StartsWith(RelationshipRoot, StringComparison.Ordinal) == true;
}
