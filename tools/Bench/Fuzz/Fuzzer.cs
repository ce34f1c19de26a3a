using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using ExternalAction.Bench.Load;

namespace ExternalAction.Bench.Fuzz;

/// <summary>
/// Mutated and malformed submissions for the intake drill: truncations, type flips, removed fields, huge strings,
/// deep nesting, invalid UTF-8, random bytes, broken syntax, strange characters, wrong content types, and valid bodies
/// carrying fields the contract does not name (the platform adds fields over time: they must be answered 200 and
/// processed like any other). The mutation is chosen by index (every kind in every 11) and its details by the seeded
/// random, so a run can be replayed.
/// </summary>
internal static class Fuzzer
{
    public static readonly string[] Kinds = ["truncated", "type flip", "field removed", "huge string", "deep nesting", "invalid UTF-8", "random bytes", "broken syntax", "strange characters", "content type", "unknown fields"];
    private static readonly string[] ContentTypes = ["application/json", "application/json; charset=utf-8", "text/plain", "application/xml", "", "application/vnd.api+json", "multipart/form-data; boundary=x", "application/json; charset=latin1"];

    public static string KindOf(int index) => Kinds[index % Kinds.Length];

    /// <summary>Request <paramref name="index"/> of the drill: <see cref="Bodies.Create"/>'s body, mutated by its kind.</summary>
    /// <param name="entity">One entity type, or null for the three in turn.</param>
    public static HttpContent Mutate(int index, Random random, EntityKind? entity = EntityKind.Lead, string callbackBase = "http://127.0.0.1:5099", string run = "fuzz")
    {
        var json = Bodies.Create(index, callbackBase, run, entity).Json;
        byte[] bytes = (index % Kinds.Length) switch
        {
            0 => Encoding.UTF8.GetBytes(json[..random.Next(0, json.Length)]),
            1 => Encoding.UTF8.GetBytes(FlipType(json, random)),
            2 => Encoding.UTF8.GetBytes(RemoveField(json, random)),
            3 => Encoding.UTF8.GetBytes(json.Replace("Acme", new string('x', random.Next(1000, 300_000)), StringComparison.Ordinal)),
            4 => Encoding.UTF8.GetBytes("{\"token\":" + new string('[', random.Next(50, 5000)) + new string(']', random.Next(0, 50)) + "}"),
            5 => InvalidUtf8(json, random),
            6 => RandomBytes(random),
            7 => Encoding.UTF8.GetBytes(json.Replace(":", random.Next(2) == 0 ? "::" : ":null,", StringComparison.Ordinal)),
            8 => Encoding.UTF8.GetBytes(InjectStrange(json, random)),
            10 => Encoding.UTF8.GetBytes(AddUnknownFields(json, random)),
            _ => Encoding.UTF8.GetBytes(json),
        };
        var content = new ByteArrayContent(bytes);
        var type = KindOf(index) == "content type" ? ContentTypes[random.Next(ContentTypes.Length)] : "application/json";
        if (type.Length > 0)
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(type);
        return content;
    }

    private static string FlipType(string json, Random random)
    {
        var node = JsonNode.Parse(json)!.AsObject();
        JsonNode?[] replacements = [42, true, null, "text", new JsonArray(1, 2), new JsonObject(), -1.5e300, "", long.MaxValue];
        var paths = new Func<JsonObject, JsonObject>[]
        {
            r => r, r => r["objectData"]!.AsObject(), r => r["objectData"]!["objectContext"]!.AsObject(), r => r["actionConfig"]!.AsObject(), r => r["context"]!.AsObject(),
        };
        var target = paths[random.Next(paths.Length)](node);
        var keys = target.Select(p => p.Key).ToList();
        if (keys.Count > 0)
            target[keys[random.Next(keys.Count)]] = replacements[random.Next(replacements.Length)]?.DeepClone();
        return node.ToJsonString();
    }

    /// <summary>
    /// A valid body plus fields no contract version names, of every JSON type: at the top, in <c>objectData</c>, its
    /// <c>objectContext</c>, the entity's data and <c>context</c>, and in every <c>accountPersonRelationships[]</c> item.
    /// </summary>
    internal static string AddUnknownFields(string json, Random random)
    {
        var node = JsonNode.Parse(json)!.AsObject();
        JsonNode?[] values = ["x", 7, -0.25, true, false, null, new JsonArray(1, "two", new JsonObject { ["three"] = 3 }), new JsonObject { ["nested"] = new JsonObject { ["deeper"] = "y" } }];
        JsonNode? Value() => values[random.Next(values.Length)]?.DeepClone();
        var objectData = node["objectData"]!.AsObject();
        var objectContext = objectData["objectContext"]!.AsObject();
        var targets = new List<JsonObject> { node, objectData, objectContext, node["context"]!.AsObject() };
        targets.AddRange(objectContext.Where(p => p.Key.EndsWith("Data", StringComparison.Ordinal) && p.Value is JsonObject).Select(p => p.Value!.AsObject()));
        if (objectContext["accountPersonRelationships"] is JsonArray relationships)
            targets.AddRange(relationships.OfType<JsonObject>());
        var n = 0;
        foreach (var target in targets)
        {
            // Always one at the top and in each relationship item: the places finding 1 lost requests.
            target[$"newAdobeField{n++}"] = Value();
            if (random.Next(2) == 0)
                target[$"futureField{n++}"] = Value();
        }
        return node.ToJsonString();
    }

    private static string RemoveField(string json, Random random)
    {
        var node = JsonNode.Parse(json)!.AsObject();
        var target = random.Next(3) switch
        {
            0 => node,
            1 => node["objectData"]!.AsObject(),
            _ => node["objectData"]!["objectContext"]!.AsObject(),
        };
        var keys = target.Select(p => p.Key).ToList();
        target.Remove(keys[random.Next(keys.Count)]);
        return node.ToJsonString();
    }

    private static string InjectStrange(string json, Random random)
    {
        string[] strange = ["\\u0000", "\\ud800", "\\udfff\\ud800", "\"}]{[", "𝕏🎉", "%00", "{{ lead.email }}", "{% raw %}", "'; DROP TABLE action_requests; --", "\\u202e", "../../etc/passwd"];
        return json.Replace("Acme", strange[random.Next(strange.Length)], StringComparison.Ordinal);
    }

    private static byte[] InvalidUtf8(string json, Random random)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        for (var i = 0; i < 3; i++)
            bytes[random.Next(bytes.Length)] = (byte)random.Next(0x80, 0x100);
        return bytes;
    }

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(0, 4096)];
        random.NextBytes(bytes);
        return bytes;
    }
}
