using System.Text.Json;
using System.Text.Json.Nodes;
using ExternalAction.Actions;
using ExternalAction.Api.Authentication;
using ExternalAction.Api.Errors;
using ExternalAction.Contracts.Json;
using ExternalAction.Contracts.Platform;

namespace ExternalAction.Api.Ajo;

/// <summary>
/// <c>custom-action.json</c>: what a practitioner enters in AJO (Administration › Configurations › Actions) to make one
/// of our actions a custom action, in one sitting: URL and method, headers (constant), the authentication to choose,
/// the request payload exactly as declared (its <c>toBeMapped</c> leaves become the journey's mapping fields), and the
/// response payload example. Credentials are never shown: their places say which setting holds them.
/// </summary>
public static class CustomActionDocument
{
    public static JsonObject Build(AjoAction action, CallerAuthOptions auth, string root, bool atRoot)
    {
        var baseUrl = atRoot ? root : $"{root}/actions/{Uri.EscapeDataString(action.Definition.Name)}";
        var headers = new JsonArray { Header("Content-Type", "application/json") };
        foreach (var (name, value) in action.Face.Headers)
            headers.Add(Header(name, value));

        var response = new JsonObject { ["requestId"] = "ajo-0123456789abcdef0123456789abcdef" };
        if (action.Face.Response is { } fields)
        {
            foreach (var (name, value) in fields)
                response[name] = value?.DeepClone();
        }
        else
            response["status"] = "accepted";

        return new JsonObject
        {
            ["name"] = action.Definition.Name,
            ["version"] = action.Definition.Version,
            ["url"] = $"{baseUrl}/ajo/invoke",
            ["method"] = "POST",
            ["headers"] = headers,
            ["authentication"] = Authentication(auth, baseUrl, atRoot ? root : baseUrl),
            ["requestPayload"] = action.Face.Request.DeepClone(),
            ["responsePayload"] = response,
            ["errorResponsePayload"] = JsonSerializer.SerializeToNode(ContractErrors.Create(ErrorCodes.InvalidRequest,
                "Invalid field $.field: is required (a string).", [new ErrorDetail("$.field", "is required (a string)")]), ContractJson.Options),
            ["notes"] = new JsonArray
            {
                root.StartsWith("http", StringComparison.Ordinal)
                    ? $"Base URL {root} (ExternalAction:Intake:PublicBaseUrl, or the checked Host header)."
                    : "The URLs here are relative: set ExternalAction:Intake:PublicBaseUrl to the address AJO reaches this service at.",
                "Paste requestPayload as the request body; each toBeMapped leaf becomes a field to map in the journey, the other leaves are constants.",
                "Paste responsePayload as the response payload, so the journey can use its fields in conditions and personalisation.",
                $"AJO retries a failed call up to three times within its timeout; retries of one call get one delivery and the same answer{(action.Identity.Count > 0 ? " (identified by " + string.Join(", ", action.Identity.Select(f => f.Path)) + ")" : " (identified by the whole payload)")}.",
                "A 200 means the call is durably queued; delivery is retried until the action's deadline. A 503 means retry later.",
            },
        };
    }

    private static JsonObject Header(string name, string value) => new() { ["name"] = name, ["value"] = value, ["type"] = "constant" };

    private static JsonObject Authentication(CallerAuthOptions auth, string baseUrl, string tokenBase) => auth.Scheme switch
    {
        CallerSchemes.ApiKey => new JsonObject
        {
            ["type"] = "apiKey",
            ["location"] = "header",
            ["name"] = auth.ApiKey.HeaderName,
            ["value"] = "<one of the keys in ExternalAction:Auth:ApiKey:Keys (or the action's auth override)>",
        },
        CallerSchemes.Basic => new JsonObject
        {
            ["type"] = "basic",
            ["username"] = "<a user of ExternalAction:Auth:Basic:Users>",
            ["password"] = "<that user's password>",
        },
        CallerSchemes.OAuth2 when auth.OAuth2.Mode == CallerSchemes.IssueMode => CustomAuthorization($"{tokenBase}/oauth/token", auth.OAuth2.TokenLifetimeMinutes),
        CallerSchemes.OAuth2 => auth.OAuth2.TokenUrl is { Length: > 0 } external
            ? CustomAuthorization(external, auth.OAuth2.TokenLifetimeMinutes)
            : new JsonObject { ["type"] = "customAuthorization", ["note"] = "Point AJO's custom authentication at your issuer's token endpoint (ExternalAction:Auth:OAuth2:TokenUrl is not set)." },
        _ => new JsonObject { ["type"] = "none", ["note"] = "No caller authentication is configured; the service does not start open outside Development." },
    };

    /// <summary>
    /// AJO's custom authentication (as for its data sources) pointed at our client-credentials token endpoint: the token at
    /// <c>access_token</c>, sent as a bearer token, cached for the token's lifetime less two minutes, which keeps the
    /// one-minute buffer Adobe advises with a minute to spare for clock skew.
    /// </summary>
    private static JsonObject CustomAuthorization(string tokenUrl, int lifetimeMinutes) => new()
    {
        ["type"] = "customAuthorization",
        ["authorizationType"] = "Bearer",
        ["endpoint"] = tokenUrl,
        ["method"] = "POST",
        ["headers"] = new JsonObject { ["Content-Type"] = "application/x-www-form-urlencoded" },
        ["body"] = new JsonObject
        {
            ["bodyType"] = "form",
            ["bodyParams"] = new JsonObject
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = "<a client id of ExternalAction:Auth:OAuth2:Clients>",
                ["client_secret"] = "<that client's secret (the service holds only its SHA-256)>",
            },
        },
        ["tokenInResponse"] = "json://access_token",
        ["cacheDuration"] = new JsonObject { ["duration"] = Math.Max(1, lifetimeMinutes - 2), ["timeUnit"] = "minutes" },
    };
}
