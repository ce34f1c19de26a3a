using System.Text.Json.Nodes;
using ExternalAction.Actions;

namespace ExternalAction.Processor.Accessors;

/// <summary>
/// Reads one configured value: a <c>constant</c>, a field of the execution request (<c>request</c>, the request as
/// serialized with <c>ContractJson.Options</c>), or a field of the channel's JSON answer (<c>response</c>). Paths use the
/// <see cref="JsonPath"/> subset. Anything missing (or a path outside the subset) reads as null. <c>delivery</c> reads what
/// the delivery step came to (<see cref="DeliveryJson"/>: <c>status</c> <c>delivered</c>, <c>suppressed</c>, <c>capped</c>
/// or <c>none</c>; <c>reason</c>; <c>route</c>), so a journey can branch on a suppressed or capped request.
/// </summary>
public static class ValueMappingReader
{
    /// <summary>Request paths starting with <c>relationship.</c> read from the accountPerson relationship being computed.</summary>
    public const string RelationshipRoot = "relationship.";

    public static JsonNode? Read(ValueMapping mapping, JsonNode requestJson, JsonNode? responseJson, JsonNode? relationshipJson = null, JsonNode? delivery = null) =>
        mapping.Source switch
        {
            ValueSources.Constant => mapping.Value?.DeepClone(),
            ValueSources.Request when IsPerRelationship(mapping) =>
                JsonPath.Select(relationshipJson, mapping.Path![RelationshipRoot.Length..])?.DeepClone(),
            ValueSources.Request when mapping.Path is not null => JsonPath.Select(requestJson, mapping.Path)?.DeepClone(),
            ValueSources.Response when mapping.Path is not null => JsonPath.Select(responseJson, mapping.Path)?.DeepClone(),
            ValueSources.Delivery when mapping.Path is not null => JsonPath.Select(delivery, mapping.Path)?.DeepClone(),
            _ => null,
        };

    /// <summary>What <c>delivery</c> mappings read: the delivery rules' verdict (or <c>delivered</c> / <c>none</c>), its reason and the route.</summary>
    public static JsonObject DeliveryJson(string? verdict, int? statusCode, string? reason, string? route) => new()
    {
        ["status"] = verdict ?? (statusCode is null ? "none" : "delivered"),
        ["reason"] = verdict is null ? null : reason,
        ["route"] = route,
    };

    /// <summary>True for a request mapping into the current accountPerson relationship (<c>relationship.…</c>).</summary>
    public static bool IsPerRelationship(ValueMapping mapping) =>
        mapping.Source == ValueSources.Request && mapping.Path?.StartsWith(RelationshipRoot, StringComparison.Ordinal) == true;
}
