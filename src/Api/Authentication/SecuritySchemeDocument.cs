using System.Text.Json.Nodes;
using ExternalAction.Actions;

namespace ExternalAction.Api.Authentication;

/// <summary>The OpenAPI 3.0 <c>securitySchemes</c> entry for the one scheme in force (the platform accepts exactly one).</summary>
public static class SecuritySchemeDocument
{
    public static (string Name, JsonObject Scheme) For(CallerAuthOptions effective, string tokenUrl) => effective.Scheme switch
    {
        CallerSchemes.Basic => ("basicAuth", new JsonObject
        {
            ["type"] = "http",
            ["scheme"] = "basic",
            ["x-realm-required"] = false,
            ["description"] = "HTTP Basic authentication",
        }),
        CallerSchemes.OAuth2 => ("oauth2", new JsonObject
        {
            ["type"] = "oauth2",
            ["description"] = "OAuth2 client credentials",
            ["flows"] = new JsonObject
            {
                ["clientCredentials"] = new JsonObject
                {
                    ["tokenUrl"] = effective.OAuth2.Mode == CallerSchemes.ExternalMode ? effective.OAuth2.TokenUrl ?? tokenUrl : tokenUrl,
                    ["scopes"] = new JsonObject(),
                },
            },
        }),
        _ => ("apiKey", new JsonObject
        {
            ["type"] = "apiKey",
            ["in"] = "header",
            ["name"] = effective.ApiKey.HeaderName,
            ["description"] = "API key authentication",
        }),
    };
}
