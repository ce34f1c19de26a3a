using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ExternalAction.Contracts.Json;
using ExternalAction.Contracts.ServiceDefinitions;
using Json.Schema;

namespace ExternalAction.Actions;

/// <summary>
/// Validates a service definition, as the platform will read it from <c>/getServiceDefinition</c>, against Adobe's
/// <c>ServiceDefinition</c> schema shipped inside this assembly (Schemas/, JsonSchema.Net). Each problem names the key
/// in the action file's terms (<c>serviceDefinition.invocationPayloadDef.fields[0].dataType</c>).
/// </summary>
public static class ServiceDefinitionSchema
{
    public const string ResourceName = "ExternalAction.Actions.Schemas.service-definition.schema.json";
    private const string Root = "serviceDefinition";

    /// <summary>The shipped schema document, as JSON.</summary>
    public static JsonObject Document { get; } = LoadDocument();

    private static readonly JsonSchema Schema = JsonSchema.FromText(Document.ToJsonString());
    private static readonly EvaluationOptions Evaluation = new() { OutputFormat = OutputFormat.List };

    public static IReadOnlyList<string> Validate(ServiceDefinition definition)
    {
        var instance = JsonSerializer.SerializeToNode(definition, ContractJson.Options);
        var results = Schema.Evaluate(instance, Evaluation);
        if (results.IsValid)
            return [];

        var failures = (results.Details ?? []).Where(d => d.Errors is { Count: > 0 }).ToList();
        // oneOf: Adobe's six entity-type/split-path variants. A variant whose enum (supportedEntityType, enableSplitPaths)
        // does not match is not the one the author meant; what the matching variant misses is the problem to report.
        var notMeant = failures.Where(d => d.Errors!.ContainsKey("enum")).Select(d => Variant(d.EvaluationPath.ToString())).OfType<string>().ToHashSet();
        var problems = new List<string>();
        foreach (var failure in failures)
        {
            var variant = Variant(failure.EvaluationPath.ToString());
            if (variant is not null && notMeant.Contains(variant))
                continue;
            var suffix = variant is null ? "" : $" (Adobe's variant '{SchemaAt(variant)?["title"]}')";
            // The variants' own errors say which apply ("expected 1 matching subschema"); the variant's problems say why.
            foreach (var (keyword, message) in failure.Errors!.Where(e => e.Key != "oneOf"))
                problems.AddRange(Describe(keyword, message, failure, instance).Select(p => $"key '{p.Key}': {p.Rule}{suffix}."));
        }
        if (problems.Count == 0)
            problems.Add($"key '{Root}': does not match Adobe's ServiceDefinition schema (none or several of its entity-type variants apply).");
        return problems.Distinct().ToList();
    }

    private static IEnumerable<(string Key, string Rule)> Describe(string keyword, string message, EvaluationResults failure, JsonNode? instance)
    {
        var pointer = Segments(failure.InstanceLocation.ToString()).ToList();
        var schema = SchemaAt(failure.SchemaLocation.Fragment.TrimStart('#'));
        var key = Key(pointer, instance);
        switch (keyword)
        {
            case "required":
                var present = Resolve(instance, pointer) is JsonObject obj ? obj.Select(p => p.Key).ToHashSet(StringComparer.Ordinal) : [];
                foreach (var name in Strings(schema?["required"]).Where(n => !present.Contains(n)))
                    foreach (var leaf in RequiredLeaves(schema!["properties"]?[name], $"{key}.{name}"))
                        yield return (leaf, "is required");
                break;
            case "enum":
                yield return (key, $"must be one of {string.Join(", ", schema?["enum"]?.AsArray().Select(v => v?.ToJsonString().Trim('"')) ?? [])}");
                break;
            case "type":
                yield return (key, $"must be of type {schema?["type"]?.ToJsonString().Trim('"')}");
                break;
            case "maximum":
                yield return (key, $"must be at most {schema?["maximum"]}");
                break;
            default:
                yield return (key, message.TrimEnd('.'));
                break;
        }
    }

    /// <summary>
    /// A missing property whose own schema requires properties is reported by those (<c>i18n</c> → <c>i18n.en_US.name</c>,
    /// <c>i18n.en_US.description</c>), so the message says what to write, not only where.
    /// </summary>
    private static IEnumerable<string> RequiredLeaves(JsonNode? propertySchema, string key)
    {
        var schema = Dereference(propertySchema);
        if (schema?["required"] is not JsonArray { Count: > 0 } required)
        {
            yield return key;
            yield break;
        }
        foreach (var name in Strings(required))
            foreach (var leaf in RequiredLeaves(schema["properties"]?[name], $"{key}.{name}"))
                yield return leaf;
    }

    private static JsonNode? Dereference(JsonNode? schema) =>
        schema?["$ref"]?.GetValue<string>() is { } reference && reference.StartsWith('#') ? SchemaAt(reference[1..]) : schema;

    /// <summary>The <c>/oneOf/{i}</c> pointer of the variant an evaluation path runs through, or null.</summary>
    private static string? Variant(string evaluationPath)
    {
        var segments = evaluationPath.Split('/');
        return segments.Length > 2 && segments[1] == "oneOf" ? $"/oneOf/{segments[2]}" : null;
    }

    private static JsonNode? SchemaAt(string pointer) => Resolve(Document, Segments(pointer));

    private static JsonNode? Resolve(JsonNode? instance, IEnumerable<string> pointer) => pointer.Aggregate(instance, Step);

    private static JsonNode? Step(JsonNode? node, string segment) => node switch
    {
        JsonObject obj => obj[segment],
        JsonArray array when int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < array.Count => array[i],
        _ => null,
    };

    /// <summary>A JSON pointer as the action file's key: <c>/invocationPayloadDef/fields/0/dataType</c> → <c>serviceDefinition.invocationPayloadDef.fields[0].dataType</c>.</summary>
    private static string Key(IEnumerable<string> pointer, JsonNode? instance)
    {
        var key = Root;
        var node = instance;
        foreach (var segment in pointer)
        {
            key += node is JsonArray ? $"[{segment}]" : $".{segment}";
            node = Step(node, segment);
        }
        return key;
    }

    private static IEnumerable<string> Strings(JsonNode? array) => array is JsonArray items ? items.Select(n => n!.GetValue<string>()) : [];

    private static IEnumerable<string> Segments(string pointer) =>
        pointer.Split('/', StringSplitOptions.RemoveEmptyEntries)
            .Select(s => Uri.UnescapeDataString(s).Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal));

    private static JsonObject LoadDocument()
    {
        using var stream = typeof(ServiceDefinitionSchema).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource '{ResourceName}' is missing from {typeof(ServiceDefinitionSchema).Assembly.GetName().Name}.");
        return JsonNode.Parse(stream)!.AsObject();
    }
}
