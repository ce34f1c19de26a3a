using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ExternalAction.Actions;
using ExternalAction.Api.Authentication;
using ExternalAction.Api.Intake;
using ExternalAction.Api.Platform;
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

    public static ContentHttpResult Json(HttpContext http, ResolvedAction action, ActionCatalog catalog, CallerAuthResolver auth, IOptions<IntakeOptions> options) =>
        TypedResults.Text(Document(http, action, catalog, auth, options.Value).ToJsonString(new JsonSerializerOptions { WriteIndented = true }),
            "application/json", Encoding.UTF8);

    public static ContentHttpResult Yaml(HttpContext http, ResolvedAction action, ActionCatalog catalog, CallerAuthResolver auth, IOptions<IntakeOptions> options) =>
        TypedResults.Text(YamlWriter.Write(Document(http, action, catalog, auth, options.Value)), "application/yaml", Encoding.UTF8);

    private static JsonObject Document(HttpContext http, ResolvedAction action, ActionCatalog catalog, CallerAuthResolver auth, IntakeOptions options)
    {
        var root = string.IsNullOrWhiteSpace(options.PublicBaseUrl)
            ? $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}"
            : options.PublicBaseUrl.TrimEnd('/');
        // The document describes the paths it was fetched under: per action, or the root ones of a one-action deployment.
        var atRoot = http.GetRouteValue(ActionResolution.RouteValue) is null;
        var baseUrl = atRoot ? root : $"{root}/actions/{Uri.EscapeDataString(action.Definition.Name)}";
        return OpenApiDocumentBuilder.Build(action.Definition, catalog, auth.EffectiveOptions(action.Definition), options, baseUrl);
    }
}
