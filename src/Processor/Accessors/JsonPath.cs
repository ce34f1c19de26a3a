using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ExternalAction.Processor.Accessors;

/// <summary>
/// The small JSON-path subset value mappings use: an optional <c>$</c> root, dotted names, <c>[index]</c> and
/// <c>['quoted name']</c> steps (<c>$.data.items[0]['score value']</c>). Missing steps give null.
/// </summary>
public static partial class JsonPath
{
    public static JsonNode? Select(JsonNode? root, string path)
    {
        var node = root;
        var text = path.Trim();
        if (text.StartsWith('$'))
            text = text[1..];
        foreach (Match step in Step().Matches(text))
        {
            if (node is null)
                return null;
            if (step.Groups["index"].Success)
            {
                var index = int.Parse(step.Groups["index"].Value, CultureInfo.InvariantCulture);
                node = node is JsonArray array && index < array.Count ? array[index] : null;
            }
            else
            {
                var name = step.Groups["quoted"].Success ? step.Groups["quoted"].Value : step.Groups["name"].Value;
                node = node is JsonObject obj && obj.TryGetPropertyValue(name, out var child) ? child : null;
            }
        }
        return node;
    }

    [GeneratedRegex(@"\[(?<index>\d+)\]|\['(?<quoted>[^']*)'\]|\.?(?<name>[^.\[\]]+)")]
    private static partial Regex Step();
}
