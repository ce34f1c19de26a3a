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

/// <summary>Accessor values for the callback: entity-level, and per relationship for accountPerson (keyed by accountPersonRelId).</summary>
public sealed record AccessorOutcome(JsonObject Values, IReadOnlyDictionary<long, JsonObject> ByRelationship, IReadOnlyList<AccessorRejection> Rejections);

/// <summary>
/// Computes accessor values from the action's mapping and checks each against <c>accessorsMetadata</c>: the JSON type
/// must match <c>dataType</c> (a numeric string is accepted for integer/float when it converts without loss, and
/// "true"/"false" for boolean, since the platform drops mistyped values silently), then minValue/maxValue and
/// allowedValues. A value that fails is left out and the reason recorded.
/// </summary>
public static class AccessorResolver
{
    public static AccessorOutcome Resolve(ActionDefinition action, ActionAccepted message, string? channelResponseBody)
    {
        var request = JsonSerializer.SerializeToNode(message.Request, ContractJson.Options)!;
        var response = Parse(channelResponseBody);
        var metadata = action.AccessorsMetadata.Where(m => m.AccessorName is not null).ToDictionary(m => m.AccessorName!, StringComparer.Ordinal);
        var rejections = new List<AccessorRejection>();

        var values = new JsonObject();
        foreach (var (name, mapping) in action.Accessors.Where(a => !ValueMappingReader.IsPerRelationship(a.Value)))
            Add(values, name, ValueMappingReader.Read(mapping, request, response), metadata, rejections, null);

        var byRelationship = new Dictionary<long, JsonObject>();
        if (message.Request.ObjectData?.ObjectType == ObjectTypes.AccountPerson)
        {
            var relationships = request["objectData"]?["objectContext"]?["accountPersonRelationships"]?.AsArray() ?? [];
            foreach (var relationship in relationships)
            {
                if (relationship?["accountPersonRelId"]?.GetValue<long>() is not { } relId)
                    continue;
                var own = (JsonObject)values.DeepClone();
                foreach (var (name, mapping) in action.Accessors.Where(a => ValueMappingReader.IsPerRelationship(a.Value)))
                    Add(own, name, ValueMappingReader.Read(mapping, request, response, relationship), metadata, rejections, relId);
                byRelationship[relId] = own;
            }
        }
        return new AccessorOutcome(values, byRelationship, rejections);
    }

    private static void Add(JsonObject target, string name, JsonNode? value, Dictionary<string, AccessorMetadata> metadata,
        List<AccessorRejection> rejections, long? relationship)
    {
        var where = relationship is { } id ? $" (relationship {id})" : "";
        if (value is null)
        {
            rejections.Add(new AccessorRejection(name, $"no value{where}: the mapped field is missing"));
            return;
        }
        if (!metadata.TryGetValue(name, out var meta))
        {
            rejections.Add(new AccessorRejection(name, $"not declared in accessorsMetadata{where}"));
            return;
        }
        var (checkedValue, problem) = Check(value, meta);
        if (problem is not null)
            rejections.Add(new AccessorRejection(name, problem + where));
        else
            target[name] = checkedValue;
    }

    /// <summary>The value in the JSON type the platform expects, or why it cannot be sent.</summary>
    public static (JsonNode? Value, string? Problem) Check(JsonNode value, AccessorMetadata meta)
    {
        var kind = value.GetValueKind();
        JsonNode? typed;
        switch (meta.DataType)
        {
            case DataTypes.Integer:
                if (!TryNumber(value, kind, out var n) || n != Math.Truncate(n) || n < long.MinValue || n > long.MaxValue)
                    return (null, $"expected an integer, got {Describe(value)}");
                typed = JsonValue.Create((long)n);
                break;
            case DataTypes.Float:
                if (!TryNumber(value, kind, out var f))
                    return (null, $"expected a number, got {Describe(value)}");
                typed = kind == JsonValueKind.Number ? value.DeepClone() : JsonValue.Create((double)f);
                break;
            case DataTypes.Boolean:
                if (kind is JsonValueKind.True or JsonValueKind.False)
                    typed = value.DeepClone();
                else if (kind == JsonValueKind.String && bool.TryParse(value.GetValue<string>(), out var b))
                    typed = JsonValue.Create(b);
                else
                    return (null, $"expected a boolean, got {Describe(value)}");
                break;
            case DataTypes.Date:
                if (kind != JsonValueKind.String || !DateOnly.TryParseExact(value.GetValue<string>(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
                    return (null, $"expected a date (yyyy-MM-dd), got {Describe(value)}");
                typed = value.DeepClone();
                break;
            case DataTypes.DateTime:
                if (kind != JsonValueKind.String || !DateTimeOffset.TryParse(value.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out _))
                    return (null, $"expected an RFC 3339 date-time, got {Describe(value)}");
                typed = value.DeepClone();
                break;
            default:
                if (kind != JsonValueKind.String)
                    return (null, $"expected a string, got {Describe(value)}");
                typed = value.DeepClone();
                break;
        }

        if (meta.Constraints is { } c)
        {
            if (meta.DataType is DataTypes.Integer or DataTypes.Float && TryNumber(typed!, typed!.GetValueKind(), out var number))
            {
                if (c.MinValue is { } min && (double)number < min)
                    return (null, $"{number.ToString(CultureInfo.InvariantCulture)} is below minValue {min.ToString(CultureInfo.InvariantCulture)}");
                if (c.MaxValue is { } max && (double)number > max)
                    return (null, $"{number.ToString(CultureInfo.InvariantCulture)} is above maxValue {max.ToString(CultureInfo.InvariantCulture)}");
            }
            if (c.AllowedValues is { Count: > 0 } allowed && typed!.GetValueKind() == JsonValueKind.String && !allowed.Contains(typed.GetValue<string>()))
                return (null, $"'{typed.GetValue<string>()}' is not one of the allowedValues ({string.Join(", ", allowed)})");
        }
        return (typed, null);
    }

    private static bool TryNumber(JsonNode value, JsonValueKind kind, out decimal number)
    {
        number = 0;
        if (kind == JsonValueKind.Number)
        {
            if (value.AsValue().TryGetValue<decimal>(out number))
                return true;
            if (value.AsValue().TryGetValue<double>(out var d) && double.IsFinite(d) && Math.Abs(d) < 7.9e28)
            {
                number = (decimal)d;
                return true;
            }
            return decimal.TryParse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out number);
        }
        return kind == JsonValueKind.String && decimal.TryParse(value.GetValue<string>(), NumberStyles.Float, CultureInfo.InvariantCulture, out number);
    }

    private static string Describe(JsonNode value)
    {
        var text = value.ToJsonString();
        return text.Length <= 60 ? text : text[..60] + "…";
    }

    private static JsonNode? Parse(string? body)
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
