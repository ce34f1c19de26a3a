using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ExternalAction.Actions;
using ExternalAction.Contracts.Json;
using ExternalAction.Contracts.Messaging;
using ExternalAction.Contracts.Platform;
using ExternalAction.Contracts.ServiceDefinitions;

namespace ExternalAction.Processor.Accessors;

public sealed record AccessorRejection(string Accessor, string Reason);

/// <summary>
/// Accessor values for the callback. <see cref="Values"/> holds the entity-level ones (lead, account; for accountPerson
/// the values shared by every person); <see cref="ByRelationship"/> (accountPerson only) holds each person's full set,
/// keyed by <c>accountPersonRelId</c>. <see cref="Rejections"/> says which values were left out and why.
/// </summary>
public sealed record AccessorOutcome(JsonObject Values, IReadOnlyDictionary<long, JsonObject> ByRelationship, IReadOnlyList<AccessorRejection> Rejections);

/// <summary>
/// Computes accessor values from the action's mapping and checks each against <c>accessorsMetadata</c> before it is
/// sent, since the platform silently ignores a value of the wrong type. A value that fails is left out and the reason
/// recorded. Rules (docs/path-conditions.md): the JSON type must fit <c>dataType</c>; a string is converted only where
/// nothing is lost (<c>"92"</c> → 92 for integer/float, <c>"true"</c> → true for boolean); then minValue/maxValue, then
/// allowedValues (strings match ignoring case and are sent in the declared spelling).
/// </summary>
public static class AccessorResolver
{
    public static AccessorOutcome Resolve(ActionDefinition action, ActionAccepted message, string? channelResponseBody) =>
        Resolve(action, message, RequestJson(message), Parse(channelResponseBody));

    /// <summary>The request as mappings read it (serialized with <c>ContractJson.Options</c>).</summary>
    public static JsonNode RequestJson(ActionAccepted message) => JsonSerializer.SerializeToNode(message.B2B, ContractJson.Options)!;

    /// <summary>With the request and the channel's answer already as JSON (the caller reads other mappings from them too).</summary>
    /// <param name="delivery">What the delivery step came to, for <c>delivery</c> mappings (<see cref="ValueMappingReader.DeliveryJson"/>).</param>
    public static AccessorOutcome Resolve(ActionDefinition action, ActionAccepted message, JsonNode request, JsonNode? response, JsonNode? delivery = null)
    {
        var metadata = action.AccessorsMetadata.Where(m => m.AccessorName is not null)
            .GroupBy(m => m.AccessorName!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var accountPerson = message.B2B.ObjectData?.ObjectType == ObjectTypes.AccountPerson;
        var rejections = new List<AccessorRejection>();

        var values = new JsonObject();
        foreach (var (name, mapping) in action.Accessors)
        {
            if (!ValueMappingReader.IsPerRelationship(mapping))
                Add(values, name, mapping, ValueMappingReader.Read(mapping, request, response, delivery: delivery), response, metadata, rejections, null);
            else if (!accountPerson)
                rejections.Add(new AccessorRejection(name, $"reads '{mapping.Path}', but only accountPerson requests have relationships"));
        }

        var byRelationship = new Dictionary<long, JsonObject>();
        if (accountPerson)
        {
            foreach (var relationship in request["objectData"]?["objectContext"]?["accountPersonRelationships"] as JsonArray ?? [])
            {
                if (relationship?["accountPersonRelId"] is not { } idNode || !TypedValues.TryDecimal(idNode, out var id) || id != decimal.Truncate(id))
                    continue;
                var relId = (long)id;
                var own = (JsonObject)values.DeepClone();
                foreach (var (name, mapping) in action.Accessors.Where(a => ValueMappingReader.IsPerRelationship(a.Value)))
                    Add(own, name, mapping, ValueMappingReader.Read(mapping, request, response, relationship, delivery), response, metadata, rejections, relId);
                byRelationship[relId] = own;
            }
        }
        return new AccessorOutcome(values, byRelationship, rejections);
    }

    private static void Add(JsonObject target, string name, ValueMapping mapping, JsonNode? value, JsonNode? response,
        Dictionary<string, AccessorMetadata> metadata, List<AccessorRejection> rejections, long? relationship)
    {
        var where = relationship is { } id ? $" (relationship {id.ToString(CultureInfo.InvariantCulture)})" : "";
        string? problem;
        if (!metadata.TryGetValue(name, out var meta))
            problem = "not declared in accessorsMetadata";
        else if (value is null)
            problem = Missing(mapping, response);
        else
        {
            (var typed, problem) = Check(value, meta);
            if (problem is null)
            {
                target[name] = typed;
                return;
            }
        }
        rejections.Add(new AccessorRejection(name, problem + where));
    }

    private static string Missing(ValueMapping mapping, JsonNode? response)
    {
        var path = mapping.Source == ValueSources.Request && ValueMappingReader.IsPerRelationship(mapping)
            ? mapping.Path![ValueMappingReader.RelationshipRoot.Length..]
            : mapping.Path;
        return mapping.Source switch
        {
            ValueSources.Constant => "no value: the constant is null",
            _ when !JsonPath.IsValid(path) => $"no value: '{mapping.Path}' is not a supported JSON path",
            ValueSources.Response when response is null => "no value: the channel's answer is not JSON",
            _ => $"no value at {mapping.Source} path '{mapping.Path}' (missing or null)",
        };
    }

    /// <summary>The value in the JSON type <c>dataType</c> calls for, or why it cannot be sent.</summary>
    internal static (JsonNode? Value, string? Problem) Check(JsonNode value, AccessorMetadata meta)
    {
        var (typed, problem) = meta.DataType switch
        {
            DataTypes.Integer => Integer(value),
            DataTypes.Float => Float(value),
            DataTypes.Boolean => TypedValues.TryBoolean(value, out var b) ? Ok(JsonValue.Create(b)) : Fail($"expected a boolean, got {Describe(value)}"),
            DataTypes.Date => TypedValues.TryDate(TypedValues.String(value), out _) ? Ok(value.DeepClone()) : Fail($"expected a date (yyyy-MM-dd), got {Describe(value)}"),
            DataTypes.DateTime => TypedValues.TryDateTime(TypedValues.String(value), out _) ? Ok(value.DeepClone()) : Fail($"expected an RFC 3339 date-time, got {Describe(value)}"),
            DataTypes.String => TypedValues.String(value) is not null ? Ok(value.DeepClone()) : Fail($"expected a string, got {Describe(value)}"),
            _ => Fail($"dataType '{meta.DataType}' is not one of {string.Join(", ", DataTypes.All)}"),
        };
        return problem is null ? Constrain(typed!, meta) : (null, problem);
    }

    private static (JsonNode? Value, string? Problem) Integer(JsonNode value)
    {
        if (!TypedValues.TryDecimal(value, out var n))
            return Fail(TypedValues.TryDouble(value, out _)
                ? $"expected an integer, got {Describe(value)}, outside the int64 range"
                : $"expected an integer, got {Describe(value)}");
        if (n != decimal.Truncate(n))
            return Fail($"expected an integer, got a fraction ({Describe(value)})");
        if (n is < long.MinValue or > long.MaxValue)
            return Fail($"expected an integer, got {Describe(value)}, outside the int64 range");
        return Ok(JsonValue.Create((long)n));
    }

    private static (JsonNode? Value, string? Problem) Float(JsonNode value)
    {
        if (!TypedValues.TryDouble(value, out var d))
            return Fail($"expected a number, got {Describe(value)}");
        // A JSON number is passed on as written; a numeric string becomes the number it spells.
        return Ok(value.GetValueKind() == JsonValueKind.Number ? value.DeepClone() : JsonValue.Create(d));
    }

    private static (JsonNode? Value, string? Problem) Ok(JsonNode value) => (value, null);

    private static (JsonNode? Value, string? Problem) Fail(string problem) => (null, problem);

    private static (JsonNode? Value, string? Problem) Constrain(JsonNode typed, AccessorMetadata meta)
    {
        if (meta.Constraints is not { } c)
            return Ok(typed);
        if (meta.DataType is DataTypes.Integer or DataTypes.Float && TypedValues.TryDouble(typed, out var number))
        {
            if (c.MinValue is { } min && number < min)
                return Fail($"{Number(number)} is below minValue {Number(min)}");
            if (c.MaxValue is { } max && number > max)
                return Fail($"{Number(number)} is above maxValue {Number(max)}");
        }
        if (c.AllowedValues is { Count: > 0 } allowed)
        {
            var match = allowed.FirstOrDefault(a => TypedValues.Compare(typed, a, meta.DataType!) == 0);
            if (match is null)
                return Fail($"{Describe(typed)} is not one of the allowedValues ({string.Join(", ", allowed)})");
            // The declared spelling, so a platform that compares case-sensitively still matches.
            if (meta.DataType == DataTypes.String)
                typed = JsonValue.Create(match);
        }
        return Ok(typed);
    }

    private static string Number(double value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// A rejected value for the status table: numbers, booleans and short strings as written; longer strings and
    /// structures by kind and size only, since a wrong mapping may point at something that should not be stored.
    /// </summary>
    private static string Describe(JsonNode value) => value.GetValueKind() switch
    {
        JsonValueKind.String when value.GetValue<string>().Length <= 40 => value.ToJsonString(),
        JsonValueKind.String => $"a string of {value.GetValue<string>().Length} characters",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => $"an array of {value.AsArray().Count}",
        _ => value.ToJsonString(),
    };

    /// <summary>The channel's answer as JSON, or null when it is empty or not JSON.</summary>
    public static JsonNode? Parse(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
            return null;
        try
        {
            return JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
