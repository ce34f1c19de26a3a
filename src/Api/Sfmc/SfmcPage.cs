using System.Reflection;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using ExternalAction.Api.Platform;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace ExternalAction.Api.Sfmc;

/// <summary>
/// The configuration page Journey Builder shows in its iframe (<c>index.html</c>, <c>activity.js</c>, <c>activity.css</c>)
/// and the Postmonger library it talks through, vendored from the npm package (Sfmc/Page/vendor, BSD-3-Clause or MIT;
/// tools/fetch-postmonger.sh re-fetches it), all embedded in the Api assembly. Served with a CSP that allows scripts,
/// styles and requests from this origin only, and framing by Journey Builder's origins only; no CDN.
/// </summary>
public static class SfmcPage
{
    private static readonly Assembly Assembly = typeof(SfmcPage).Assembly;
    private static readonly string Template = Read("index.html");
    private static readonly byte[] Script = ReadBytes("activity.js");
    private static readonly byte[] Style = ReadBytes("activity.css");
    private static readonly byte[] Postmonger = ReadBytes("vendor.postmonger.js");
    private static readonly byte[] IconSvg = ReadBytes("icon.svg");

    // HTML-safe: '<', '>', '&', quotes are \u-escaped, so the JSON cannot end the script element it sits in.
    private static readonly JsonSerializerOptions ModelJson = new() { Encoder = JavaScriptEncoder.Default };

    public static ContentHttpResult Index(ResolvedAction action, HttpContext http, IOptions<SfmcOptions> options)
    {
        Secure(http, options.Value);
        var html = Template.Replace("__ACTIVITY_MODEL__", Model(action).ToJsonString(ModelJson), StringComparison.Ordinal);
        return TypedResults.Text(html, "text/html; charset=utf-8");
    }

    public static FileContentHttpResult ActivityScript(HttpContext http, IOptions<SfmcOptions> options) => Asset(http, options.Value, Script, "text/javascript; charset=utf-8");
    public static FileContentHttpResult ActivityStyle(HttpContext http, IOptions<SfmcOptions> options) => Asset(http, options.Value, Style, "text/css; charset=utf-8");
    public static FileContentHttpResult PostmongerScript(HttpContext http, IOptions<SfmcOptions> options) => Asset(http, options.Value, Postmonger, "text/javascript; charset=utf-8");
    public static FileContentHttpResult Icon(HttpContext http, IOptions<SfmcOptions> options) => Asset(http, options.Value, IconSvg, "image/svg+xml");

    /// <summary>What the page shows: the action's label and in-arguments (bindings, per-journey values, defaults), never a secret.</summary>
    public static JsonObject Model(ResolvedAction resolved)
    {
        var action = resolved.Definition;
        var sfmc = action.Sfmc!;
        return new JsonObject
        {
            ["label"] = sfmc.Label ?? action.Name,
            ["description"] = sfmc.Description,
            ["allowedHosts"] = new JsonArray(action.Channel.AllowedHosts.Select(h => (JsonNode)h).ToArray()),
            ["inArguments"] = new JsonArray(sfmc.InArguments.Select(a => (JsonNode)new JsonObject
            {
                ["name"] = a.Name,
                ["label"] = a.Label,
                ["binding"] = a.Binding,
                ["configurable"] = a.Configurable,
                ["default"] = a.Default,
                ["required"] = a.Required,
                ["dataType"] = a.DataType,
                ["secret"] = a.Secret,
                ["format"] = a.Format,
                ["maxLength"] = a.MaxLength,
            }).ToArray()),
        };
    }

    private static FileContentHttpResult Asset(HttpContext http, SfmcOptions options, byte[] content, string type)
    {
        Secure(http, options);
        http.Response.Headers.CacheControl = "public, max-age=300";
        return TypedResults.File(content, type);
    }

    private static void Secure(HttpContext http, SfmcOptions options)
    {
        var headers = http.Response.Headers;
        headers.ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
            + $"form-action 'none'; base-uri 'none'; frame-ancestors {string.Join(' ', options.FrameAncestors)}";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
    }

    private static string Read(string name) => System.Text.Encoding.UTF8.GetString(ReadBytes(name));

    private static byte[] ReadBytes(string name)
    {
        using var stream = Assembly.GetManifestResourceStream($"ExternalAction.Api.Sfmc.Page.{name}")
            ?? throw new InvalidOperationException($"The configuration page's resource '{name}' is not embedded in the Api assembly.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
