using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Fluid;

namespace ExternalAction.Processor.Templating;

/// <summary>
/// Renders Liquid templates (Fluid) over a <see cref="TemplateModel"/>. Text is rendered without HTML encoding (the
/// output goes into JSON, SMS and Slack bodies). JSON templates are rendered leaf by leaf, so no value can break the
/// JSON around it; a leaf that is exactly one placeholder without filters (<c>"{{ lead.score }}"</c>) is replaced by
/// the named value with its JSON type (number, boolean, array, object; null when missing).
/// </summary>
public sealed partial class TemplateRenderer
{
    private static readonly FluidParser Parser = new(new FluidParserOptions { AllowFunctions = false });
    private static readonly TemplateOptions Options = CreateOptions();
    private readonly ConcurrentDictionary<string, IFluidTemplate> _cache = new(StringComparer.Ordinal);

    public static bool TryParse(string template, out string? error)
    {
        var ok = Parser.TryParse(template, out _, out var message);
        error = ok ? null : message;
        return ok;
    }

    public string RenderText(string template, JsonObject model)
    {
        if (!template.Contains("{{", StringComparison.Ordinal) && !template.Contains("{%", StringComparison.Ordinal))
            return template;
        var parsed = _cache.GetOrAdd(template, Parse);
        var context = new TemplateContext(Options);
        foreach (var (name, value) in model)
            context.SetValue(name, ToClr(value));
        return parsed.Render(context, NullEncoder.Default);
    }

    public JsonNode? RenderJson(JsonNode? template, JsonObject model) => template switch
    {
        null => null,
        JsonObject obj => RenderObject(obj, model),
        JsonArray arr => new JsonArray(arr.Select(item => RenderJson(item, model)).ToArray()),
        JsonValue value when value.GetValueKind() == JsonValueKind.String => RenderLeaf(value.GetValue<string>(), model),
        _ => template.DeepClone(),
    };

    private JsonObject RenderObject(JsonObject template, JsonObject model)
    {
        var result = new JsonObject();
        foreach (var (key, value) in template)
            result[RenderText(key, model)] = RenderJson(value, model);
        return result;
    }

    private JsonNode? RenderLeaf(string text, JsonObject model)
    {
        var single = SinglePlaceholder().Match(text);
        return single.Success ? Lookup(model, single.Groups["path"].Value)?.DeepClone() : JsonValue.Create(RenderText(text, model));
    }

    /// <summary>Follows a dotted path with optional [index] steps through the model.</summary>
    internal static JsonNode? Lookup(JsonNode? node, string path)
    {
        foreach (Match step in PathStep().Matches(path))
        {
            if (node is null)
                return null;
            if (step.Groups["name"].Success)
            {
                var name = step.Groups["name"].Value;
                node = node is JsonObject obj && obj.TryGetPropertyValue(name, out var child) ? child
                    : node is JsonArray list && name is "size" ? JsonValue.Create(list.Count)
                    : node is JsonArray first && name is "first" && first.Count > 0 ? first[0]
                    : node is JsonArray last && name is "last" && last.Count > 0 ? last[^1]
                    : null;
            }
            else
            {
                var index = int.Parse(step.Groups["index"].Value, CultureInfo.InvariantCulture);
                node = node is JsonArray arr && index < arr.Count ? arr[index] : null;
            }
        }
        return node;
    }

    private static IFluidTemplate Parse(string template) =>
        Parser.TryParse(template, out var parsed, out var error)
            ? parsed
            : throw new TemplateException($"Template '{Shorten(template)}' cannot be parsed: {error}");

    /// <summary>JSON nodes as the plain objects Fluid knows how to walk (dictionaries, lists, primitives).</summary>
    private static object? ToClr(JsonNode? node) => node switch
    {
        null => null,
        JsonObject obj => obj.ToDictionary(p => p.Key, p => ToClr(p.Value)),
        JsonArray arr => arr.Select(ToClr).ToList(),
        JsonValue value => value.GetValueKind() switch
        {
            JsonValueKind.String => value.GetValue<string>(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number => value.TryGetValue<long>(out var l) ? l : value.TryGetValue<int>(out var i) ? i : (object)value.GetValue<double>(),
            _ => null,
        },
        _ => null,
    };

    private static TemplateOptions CreateOptions()
    {
        var options = new TemplateOptions();
        options.MemberAccessStrategy.IgnoreCasing = false;
        return options;
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "…";

    [GeneratedRegex(@"^\s*\{\{\s*(?<path>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\])*)\s*\}\}\s*$")]
    private static partial Regex SinglePlaceholder();

    [GeneratedRegex(@"(?<name>[A-Za-z_][A-Za-z0-9_]*)|\[(?<index>\d+)\]")]
    private static partial Regex PathStep();
}

/// <summary>A template in an action definition cannot be parsed or rendered.</summary>
public sealed class TemplateException(string message) : Exception(message);
