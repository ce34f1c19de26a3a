using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using ExternalAction.Actions;
using NJsonSchema;
using NJsonSchema.Validation;

namespace ExternalAction.TestSupport;

/// <summary>
/// Validates JSON against the schemas of Adobe's reference OpenAPI 3.0 document (tests/fixtures/adobe), so tests
/// check what the service emits against the platform's own definitions rather than against our reading of them.
/// </summary>
public static class AdobeSchemas
{
    private static readonly Lazy<JsonObject> Document = new(() => YamlToJson.Convert(File.ReadAllText(Fixtures.AdobeOpenApi))!.AsObject());
    private static readonly ConcurrentDictionary<string, Task<JsonSchema>> Schemas = new();

    /// <summary>Errors of <paramref name="json"/> against <c>#/components/schemas/{schemaName}</c>; empty when valid.</summary>
    public static Task<IReadOnlyList<string>> ValidateAsync(string schemaName, string json) =>
        ValidateWithAsync(Schemas.GetOrAdd(schemaName, name => BuildAsync(Document.Value["components"]!["schemas"]![name]
            ?? throw new ArgumentException($"No schema '{name}' in the reference document.", nameof(schemaName)))), json);

    /// <summary>Errors against the inline schema of <c>GET /status</c>'s 200 response.</summary>
    public static Task<IReadOnlyList<string>> ValidateStatusAsync(string json) =>
        ValidateWithAsync(Schemas.GetOrAdd("(status)", _ => BuildAsync(
            Document.Value["paths"]!["/status"]!["get"]!["responses"]!["200"]!["content"]!["application/json"]!["schema"]!)), json);

    private static async Task<IReadOnlyList<string>> ValidateWithAsync(Task<JsonSchema> schema, string json)
    {
        var errors = (await schema).Validate(json);
        return errors.SelectMany(Flatten).ToList();
    }

    private static IEnumerable<string> Flatten(ValidationError error)
    {
        yield return $"{error.Path ?? "#"}: {error.Kind}";
        if (error is ChildSchemaValidationError child)
            foreach (var inner in child.Errors.SelectMany(e => e.Value).SelectMany(Flatten))
                yield return "  " + inner;
    }

    /// <summary>
    /// The schema as a JSON Schema document root, the document's component schemas moved under <c>definitions</c> and
    /// the <c>$ref</c>s rewritten to match, which NJsonSchema resolves natively.
    /// </summary>
    private static Task<JsonSchema> BuildAsync(JsonNode schema)
    {
        var root = schema.DeepClone().AsObject();
        root["definitions"] = Document.Value["components"]!["schemas"]!.DeepClone();
        var json = root.ToJsonString().Replace("#/components/schemas/", "#/definitions/", StringComparison.Ordinal);
        return JsonSchema.FromJsonAsync(json);
    }
}
