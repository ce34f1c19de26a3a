using System.Globalization;
using System.Text.Json.Nodes;

namespace ExternalAction.TestSupport;

/// <summary>
/// A seeded generator of the fields a platform may add over time: it puts properties this service does not know, of
/// every JSON type (string, integer, decimal, boolean, null, object, array, nested), into every object of a request,
/// typed levels (context, subscription, journey, objectData, objectContext, actionConfig, paths, conditions,
/// relationships) and free-form data alike. The same seed always gives the same request, so a failure names its input.
/// </summary>
public sealed class UnknownFields(int seed)
{
    private readonly Random _random = new(seed);

    public int Seed { get; } = seed;

    /// <summary>A copy of <paramref name="request"/> with one or more unknown properties added to each of its objects.</summary>
    public JsonObject AddEverywhere(JsonObject request)
    {
        var copy = request.DeepClone().AsObject();
        foreach (var obj in Objects(copy).ToList())
        {
            // customHeaders is a map of header names to string values: a new header, not a new kind of field.
            var headers = obj.Parent is JsonObject parent && ReferenceEquals(parent["customHeaders"], obj);
            var count = _random.Next(1, 3);
            for (var i = 0; i < count; i++)
                obj[headers ? "X-Future-" + _random.Next(1_000_000).ToString(CultureInfo.InvariantCulture) : Name()] = headers ? JsonValue.Create("value-" + i.ToString(CultureInfo.InvariantCulture)) : Value(depth: 0);
        }
        return copy;
    }

    /// <summary>Every object in the tree, the root included.</summary>
    public static IEnumerable<JsonObject> Objects(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                yield return obj;
                foreach (var (_, child) in obj)
                    foreach (var inner in Objects(child))
                        yield return inner;
                break;
            case JsonArray array:
                foreach (var item in array)
                    foreach (var inner in Objects(item))
                        yield return inner;
                break;
        }
    }

    private string Name()
    {
        string[] stems = ["newAdobeField", "x_future", "schemaVersion", "übersetzung", "trace-id", "_meta", "a"];
        return stems[_random.Next(stems.Length)] + _random.Next(1_000_000).ToString(CultureInfo.InvariantCulture);
    }

    private JsonNode? Value(int depth)
    {
        var kind = _random.Next(depth >= 2 ? 6 : 8);
        return kind switch
        {
            0 => JsonValue.Create(Text()),
            1 => JsonValue.Create(_random.NextInt64(-1_000_000_000_000, 1_000_000_000_000)),
            2 => JsonValue.Create(Math.Round(_random.NextDouble() * 1e6, 4)),
            3 => JsonValue.Create(_random.Next(2) == 0),
            4 => null,
            5 => JsonValue.Create(""),
            6 => new JsonObject { [Name()] = Value(depth + 1), [Name()] = Value(depth + 1) },
            _ => new JsonArray(Value(depth + 1), Value(depth + 1), new JsonObject { [Name()] = Value(depth + 1) }),
        };
    }

    private string Text()
    {
        string[] texts = ["x", "{ \"looks\": \"like json\" }", "line1\nline2", "emoji 🎉", "quote \" and backslash \\", "<b>&amp;</b>", "{{ lead.email }}"];
        return texts[_random.Next(texts.Length)];
    }
}
