using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ExternalAction.Api.OpenApi;

/// <summary>Writes JSON nodes as block-style YAML; every string is double-quoted with JSON escapes, which YAML accepts.</summary>
public static class YamlWriter
{
    public static string Write(JsonNode node)
    {
        var output = new StringBuilder();
        WriteNode(node, output, 0, inSequence: false);
        return output.ToString();
    }

    private static void WriteNode(JsonNode? node, StringBuilder output, int indent, bool inSequence)
    {
        switch (node)
        {
            case JsonObject obj when obj.Count > 0:
                var first = true;
                foreach (var (key, value) in obj)
                {
                    if (!(first && inSequence))
                        output.Append(' ', indent);
                    first = false;
                    output.Append(Scalar(JsonValue.Create(key))).Append(':');
                    WriteChild(value, output, indent);
                }
                break;
            case JsonArray arr when arr.Count > 0:
                var firstItem = true;
                foreach (var item in arr)
                {
                    if (!(firstItem && inSequence))
                        output.Append(' ', indent);
                    firstItem = false;
                    output.Append("- ");
                    if (item is JsonObject { Count: > 0 } or JsonArray { Count: > 0 })
                        WriteNode(item, output, indent + 2, inSequence: true);
                    else
                        output.Append(Scalar(item)).Append('\n');
                }
                break;
            default:
                output.Append(Scalar(node)).Append('\n');
                break;
        }
    }

    private static void WriteChild(JsonNode? value, StringBuilder output, int indent)
    {
        if (value is JsonObject { Count: > 0 } or JsonArray { Count: > 0 })
        {
            output.Append('\n');
            WriteNode(value, output, indent + 2, inSequence: false);
        }
        else
        {
            output.Append(' ').Append(Scalar(value)).Append('\n');
        }
    }

    private static string Scalar(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "{}",
        JsonArray => "[]",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => JsonSerializer.Serialize(v.GetValue<string>()),
        _ => node.ToJsonString().ToString(CultureInfo.InvariantCulture),
    };
}
