using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using ExternalAction.Bench.Load;

namespace ExternalAction.Bench.Fuzz;

/// <summary>
/// Mutated and malformed submissions for the intake drill: truncations, type flips, removed fields, huge strings,
/// deep nesting, invalid UTF-8, random bytes, broken syntax, strange characters, wrong content types. The mutation
/// is chosen by index (every kind in every 10) and its details by the seeded random, so a run can be replayed.
/// </summary>
internal static class Fuzzer
{
    public static readonly string[] Kinds = ["truncated", "type flip", "field removed", "huge string", "deep nesting", "invalid UTF-8", "random bytes", "broken syntax", "strange characters", "content type"];
    private static readonly string[] ContentTypes = ["application/json", "application/json; charset=utf-8", "text/plain", "application/xml", "", "application/vnd.api+json", "multipart/form-data; boundary=x", "application/json; charset=latin1"];

    public static string KindOf(int index) => Kinds[index % 10];

    public static HttpContent Mutate(int index, Random random, EntityKind entity = EntityKind.Lead)
    {
        var json = Bodies.Create(index, "http://127.0.0.1:5099", "fuzz", entity).Json;
        byte[] bytes = (index % 10) switch
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
            _ => Encoding.UTF8.GetBytes(json),
        };
        var content = new ByteArrayContent(bytes);
        var type = index % 10 == 9 ? ContentTypes[random.Next(ContentTypes.Length)] : "application/json";
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
