using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ExternalAction.Actions;
using ExternalAction.Api.Authentication;
using ExternalAction.Api.Intake;
using ExternalAction.Api.Platform;
using Microsoft.AspNetCore.HostFiltering;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace ExternalAction.Api.OpenApi;

/// <summary><c>GET /openapi.json</c> and <c>/openapi.yaml</c>: public, since the admin pastes this URL before entering credentials.</summary>
public static class OpenApiApi
{
    public static RouteGroupBuilder MapOpenApiDocument(this RouteGroupBuilder platform)
    {
        platform.MapGet("/openapi.json", Json);
        platform.MapGet("/openapi.yaml", Yaml);
        return platform;
    }

    public static ContentHttpResult Json(HttpContext http, ResolvedAction action, ActionCatalog catalog, CallerAuthResolver auth,
        IOptions<IntakeOptions> options, IOptions<HostFilteringOptions> hosts) =>
        TypedResults.Text(Document(http, action, catalog, auth, options.Value, hosts.Value).ToJsonString(new JsonSerializerOptions { WriteIndented = true }),
            "application/json", Encoding.UTF8);

    public static ContentHttpResult Yaml(HttpContext http, ResolvedAction action, ActionCatalog catalog, CallerAuthResolver auth,
        IOptions<IntakeOptions> options, IOptions<HostFilteringOptions> hosts) =>
        TypedResults.Text(YamlWriter.Write(Document(http, action, catalog, auth, options.Value, hosts.Value)), "application/yaml", Encoding.UTF8);

    /// <summary>
    /// Where the document says the service is (<c>servers[0].url</c>, and <c>tokenUrl</c> below it): the configured
    /// <c>PublicBaseUrl</c>; else the request's own scheme and host, but only when ASP.NET Core's host filtering
    /// (<c>AllowedHosts</c>) restricts hosts, so that host was checked; else an empty root, which makes the URLs in the
    /// document relative to where it was fetched. An unchecked <c>Host</c> header never reaches the document.
    /// </summary>
    public static string Root(HttpContext http, IntakeOptions options, HostFilteringOptions hosts)
    {
        if (!string.IsNullOrWhiteSpace(options.PublicBaseUrl))
            return options.PublicBaseUrl.TrimEnd('/');
        var filtered = hosts.AllowedHosts is { Count: > 0 } allowed && !allowed.Contains("*");
        return filtered && http.Request.Host.HasValue ? $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}" : $"{http.Request.PathBase}";
    }

    private static JsonObject Document(HttpContext http, ResolvedAction action, ActionCatalog catalog, CallerAuthResolver auth, IntakeOptions options, HostFilteringOptions hosts)
    {
        var root = Root(http, options, hosts);
        // The document describes the paths it was fetched under: per action, or the root ones of a one-action deployment.
        var baseUrl = action.AtRoot ? root : $"{root}/actions/{Uri.EscapeDataString(action.Definition.Name)}";
        // A relative root of a one-action deployment: "/" rather than an empty URL.
        return OpenApiDocumentBuilder.Build(action.Definition, catalog, auth.EffectiveOptions(action.Definition), options, baseUrl.Length == 0 ? "/" : baseUrl);
    }
}
