using System.Globalization;
using System.Text.Json.Nodes;

namespace ExternalAction.Processor.Accessors;

/// <summary>
/// The small JSON-path subset value mappings use (docs/path-conditions.md): an optional <c>$</c> root, then steps
/// <c>.name</c>, <c>[index]</c>, <c>['quoted name']</c> or <c>["quoted name"]</c>; the first name may go without the dot
/// (<c>data.items[0].id</c> = <c>$.data.items[0].id</c>). Names are case-sensitive. No wildcards, slices, filters or
/// recursive descent: one path names at most one value. A step that does not exist gives null, and so does a path
/// outside the subset (<see cref="IsValid"/> tells the two apart).
/// </summary>
public static class JsonPath
{
    public static JsonNode? Select(JsonNode? root, string path)
    {
        if (Parse(path) is not { } steps)
            return null;
        var node = root;
        foreach (var step in steps)
        {
            node = step switch
            {
                { Index: { } index } => node is JsonArray array && index < array.Count ? array[index] : null,
                _ => node is JsonObject obj && obj.TryGetPropertyValue(step.Name!, out var child) ? child : null,
            };
            if (node is null)
                return null;
        }
        return node;
    }

    /// <summary>True when <paramref name="path"/> is inside the supported subset.</summary>
    public static bool IsValid(string? path) => path is not null && Parse(path) is not null;

    private readonly record struct Step(string? Name, int? Index);

    /// <summary>The steps of a path, or null when it is empty or outside the subset.</summary>
    private static List<Step>? Parse(string path)
    {
        var text = path.Trim();
        var steps = new List<Step>();
        var i = 0;
        if (text.StartsWith('$'))
            i = 1;
        else if (text.Length == 0 || text[0] is '.' or '[')
            return null;
        else
            text = "." + text;

        while (i < text.Length)
        {
            switch (text[i])
            {
                case '.':
                    var start = ++i;
                    while (i < text.Length && text[i] is not ('.' or '[' or ']' or '\'' or '"'))
                        i++;
                    if (i == start || text[start..i].Trim().Length == 0 || text[start..i] == "*")
                        return null;
                    steps.Add(new Step(text[start..i], null));
                    break;
                case '[' when i + 1 < text.Length && text[i + 1] is '\'' or '"':
                    var quote = text[i + 1];
                    var close = text.IndexOf(quote, i + 2);
                    if (close < 0 || close + 1 >= text.Length || text[close + 1] != ']')
                        return null;
                    steps.Add(new Step(text[(i + 2)..close], null));
                    i = close + 2;
                    break;
                case '[':
                    var end = text.IndexOf(']', i);
                    if (end < 0 || !int.TryParse(text.AsSpan(i + 1, end - i - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                        return null;
                    steps.Add(new Step(null, index));
                    i = end + 1;
                    break;
                default:
                    return null;
            }
        }
        return steps;
    }
}
