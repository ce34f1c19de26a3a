using System.Text.Json;
using System.Text.Json.Nodes;

namespace ExternalAction.Actions.Templates;

/// <summary>Every Liquid template of a channel, with the key that names it in the action file.</summary>
public static class ChannelTemplates
{
    public static IEnumerable<(string Key, string Template)> Of(ChannelDefinition channel)
    {
        if (channel.Url is not null)
            yield return ("channel.url", channel.Url);
        foreach (var (name, value) in channel.Headers)
            yield return ($"channel.headers.{name}", value);
        foreach (var leaf in Json(channel.Body, "channel.body"))
            yield return leaf;
        if (channel.Text is not null)
            yield return ("channel.text", channel.Text);
        foreach (var leaf in Json(channel.Blocks, "channel.blocks"))
            yield return leaf;
        foreach (var leaf in Json(channel.Card, "channel.card"))
            yield return leaf;
        if (channel.To is not null)
            yield return ("channel.to", channel.To);
    }

    /// <summary>A JSON template's property names and string leaves: both are rendered.</summary>
    private static IEnumerable<(string Key, string Template)> Json(JsonNode? node, string key)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, value) in obj)
                {
                    yield return ($"{key}.{name}", name);
                    foreach (var leaf in Json(value, $"{key}.{name}"))
                        yield return leaf;
                }
                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                    foreach (var leaf in Json(array[i], $"{key}[{i}]"))
                        yield return leaf;
                break;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                yield return (key, value.GetValue<string>());
                break;
        }
    }
}
