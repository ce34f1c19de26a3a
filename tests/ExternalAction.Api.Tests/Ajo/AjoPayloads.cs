using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ExternalAction.Api.Tests.Ajo;

/// <summary>Payload helpers for the AJO tests: a valid call for a declaration, and edits at a JSON path.</summary>
public static partial class AjoPayloads
{
    /// <summary>The declaration with each toBeMapped leaf replaced by a value of its type, and each list given one item.</summary>
    public static JsonNode? Fill(JsonNode? declaration) => declaration switch
    {
        JsonObject leaf when leaf.ContainsKey("toBeMapped") => leaf["dataType"]!.GetValue<string>() switch
        {
            "integer" => 7,
            "decimal" => 1.5m,
            "boolean" => true,
            "dateTime" => "2026-03-01T10:00:00Z",
            _ => $"value-{leaf["label"]?.GetValue<string>() ?? "x"}",
        },
        JsonObject obj => new JsonObject(obj.Select(p => KeyValuePair.Create(p.Key, Fill(p.Value)))),
        JsonArray list => new JsonArray(list.Select(Fill).ToArray()),
        _ => declaration?.DeepClone(),
    };

    public static readonly object Remove = new();

    /// <summary>Sets (or with <see cref="Remove"/> removes) the value at a path like <c>orders[0].lines[1].qty</c>.</summary>
    public static JsonObject Edit(JsonObject payload, string path, object? value)
    {
        var copy = payload.DeepClone().AsObject();
        var steps = Step().Matches(path).Select(m => m.Groups["name"].Success ? (object)m.Groups["name"].Value : int.Parse(m.Groups["index"].Value)).ToList();
        JsonNode parent = copy;
        foreach (var step in steps[..^1])
            parent = step is string name ? parent[name]! : parent[(int)step]!;
        var last = steps[^1];
        var node = value is null ? null : value == Remove ? null : value as JsonNode ?? JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(value));
        if (last is string key)
        {
            if (value == Remove)
                parent.AsObject().Remove(key);
            else
                parent[key] = node;
        }
        else if ((int)last >= parent.AsArray().Count)
            parent.AsArray().Add(node);
        else
            parent[(int)last] = node;
        return copy;
    }

    [GeneratedRegex(@"(?<name>[^.\[\]]+)|\[(?<index>\d+)\]")]
    private static partial Regex Step();
}
