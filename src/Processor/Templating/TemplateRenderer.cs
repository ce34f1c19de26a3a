using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ExternalAction.Actions.Templates;
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
    // Shared with the action loader, which checks every template at start-up (src/Actions/Templates/LiquidSyntax.cs).
    private static readonly FluidParser Parser = LiquidSyntax.Parser;
    private static readonly TemplateOptions Options = CreateOptions();
    private readonly ConcurrentDictionary<string, IFluidTemplate> _cache = new(StringComparer.Ordinal);

    public static bool TryParse(string template, out string? error) => LiquidSyntax.TryParse(template, out error);

    public string RenderText(string template, JsonObject model) => RenderText(template, model, NullEncoder.Default);

    private string RenderText(string template, JsonObject model, System.Text.Encodings.Web.TextEncoder encoder)
    {
        if (!template.Contains("{{", StringComparison.Ordinal) && !template.Contains("{%", StringComparison.Ordinal))
            return template;
        var parsed = _cache.GetOrAdd(template, Parse);
        var context = new TemplateContext(Options);
        foreach (var (name, value) in model)
            context.SetValue(name, ToClr(value));
        try
        {
            return parsed.Render(context, encoder);
        }
        catch (Exception e) when (e is not TemplateException)
        {
            throw new TemplateException($"Template '{Shorten(template)}' cannot be rendered with this request's data ({e.GetType().Name})");
        }
    }

    /// <summary>
    /// Renders a URL template: every value a placeholder writes is percent-encoded (RFC 3986 unreserved characters
    /// only), so data can fill one path segment or one query value and never add segments, a query, a fragment or a
    /// host. A value that is exactly <c>.</c> or <c>..</c> would still move the path and is refused, and the result must
    /// be an absolute http(s) URL. The template's own text (scheme, host, fixed path) is not touched.
    /// </summary>
    public Uri RenderUrl(string template, JsonObject model)
    {
        var rendered = RenderText(template, model, UrlValueEncoder.Instance);
        return Uri.TryCreate(rendered, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http"
            ? uri
            : throw new TemplateException($"URL template '{Shorten(template)}' does not render to an absolute http(s) URL");
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
            // Fluid computes in decimal: a number beyond its range (1e29) is written as its JSON text instead.
            JsonValueKind.Number => value.TryGetValue<long>(out var l) ? l
                : value.TryGetValue<decimal>(out var m) ? m
                : value.ToJsonString(),
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

/// <summary>
/// Fluid's encoder for URL templates: values are percent-encoded with <see cref="System.Text.Encodings.Web.UrlEncoder"/>
/// and a whole value of <c>.</c> or <c>..</c> (a dot segment) is refused.
/// </summary>
internal sealed class UrlValueEncoder : System.Text.Encodings.Web.TextEncoder
{
    public static readonly UrlValueEncoder Instance = new();
    private static readonly System.Text.Encodings.Web.UrlEncoder Inner = System.Text.Encodings.Web.UrlEncoder.Default;

    public override int MaxOutputCharactersPerInputCharacter => Inner.MaxOutputCharactersPerInputCharacter;

    public override void Encode(TextWriter output, string value, int startIndex, int characterCount)
    {
        var part = value.Substring(startIndex, characterCount);
        if (part is "." or "..")
            throw new TemplateException("a value rendered into a URL is a dot segment ('.' or '..')");
        output.Write(Inner.Encode(part));
    }

    public override string Encode(string value)
    {
        if (value is "." or "..")
            throw new TemplateException("a value rendered into a URL is a dot segment ('.' or '..')");
        return Inner.Encode(value);
    }

    public override unsafe int FindFirstCharacterToEncode(char* text, int textLength) => Inner.FindFirstCharacterToEncode(text, textLength);

    public override unsafe bool TryEncodeUnicodeScalar(int unicodeScalar, char* buffer, int bufferLength, out int numberOfCharactersWritten) =>
        Inner.TryEncodeUnicodeScalar(unicodeScalar, buffer, bufferLength, out numberOfCharactersWritten);

    public override bool WillEncode(int unicodeScalar) => Inner.WillEncode(unicodeScalar);
}

/// <summary>A template in an action definition cannot be parsed or rendered.</summary>
public sealed class TemplateException(string message) : Exception(message);
