using System.Net.Http.Headers;
using System.Text;
using ExternalAction.Actions;
using ExternalAction.Api.Errors;
using ExternalAction.Api.Platform;
using ExternalAction.Contracts.Platform;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ExternalAction.Api.Authentication;

/// <summary>
/// <c>POST /oauth/token</c> (and <c>/actions/{action}/oauth/token</c>): the OAuth2 client-credentials grant (RFC 6749 §4.4) for deployments whose caller scheme
/// is oauth2 in issue mode. Client secrets are configured as SHA-256 hashes and compared in constant time.
/// </summary>
public static class TokenEndpoint
{
    public sealed record TokenResponse(
        [property: System.Text.Json.Serialization.JsonPropertyName("access_token")] string AccessToken,
        [property: System.Text.Json.Serialization.JsonPropertyName("token_type")] string TokenType,
        [property: System.Text.Json.Serialization.JsonPropertyName("expires_in")] int ExpiresIn);

    public sealed record OAuthError(
        [property: System.Text.Json.Serialization.JsonPropertyName("error")] string Error,
        [property: System.Text.Json.Serialization.JsonPropertyName("error_description")] string Description);

    /// <summary>Largest token request accepted: a client-credentials form is a few hundred bytes.</summary>
    public const int MaxFormBytes = 16 * 1024;

    /// <summary>
    /// <c>POST /oauth/token</c> for every issuing configuration, and <c>POST /actions/{action}/oauth/token</c> (the
    /// <c>tokenUrl</c> an action's OpenAPI document advertises) for that action's. Anonymous by nature, so the form is
    /// bounded (413 in the contract's error shape, never a 500) and failed client authentication is throttled.
    /// </summary>
    public static IEndpointRouteBuilder MapOAuthToken(this IEndpointRouteBuilder endpoints)
    {
        foreach (var endpoint in new[] { endpoints.MapPost("/oauth/token", Issue), endpoints.MapPost($"/actions/{{{ResolvedAction.RouteValue}}}/oauth/token", IssueForAction) })
            endpoint.AllowAnonymous().DisableAntiforgery()
                .WithFormOptions(bufferBodyLengthLimit: MaxFormBytes, valueCountLimit: 16, keyLengthLimit: 64, valueLengthLimit: 4096,
                    multipartBodyLengthLimit: MaxFormBytes);
        return endpoints;
    }

    /// <summary>At the root: every issuing configuration in force (the deployment's and the actions' own) mints tokens for its clients.</summary>
    public static Task<Results<Ok<TokenResponse>, JsonHttpResult<OAuthError>, JsonHttpResult<ErrorResponse>>> Issue(
        HttpContext http, ActionCatalog catalog, CallerAuthResolver resolver, JwtValidation jwt, TimeProvider clock, FailedAuthenticationThrottle throttle) =>
        IssueAsync(http, catalog.All.Select(resolver.EffectiveOptions).Append(resolver.EffectiveOptions(null)), jwt, clock, throttle);

    /// <summary>Under an action's path (an unknown name is ActionResolution's 404): only the configuration in force for that action.</summary>
    public static Task<Results<Ok<TokenResponse>, JsonHttpResult<OAuthError>, JsonHttpResult<ErrorResponse>>> IssueForAction(
        HttpContext http, ResolvedAction action, CallerAuthResolver resolver, JwtValidation jwt, TimeProvider clock, FailedAuthenticationThrottle throttle) =>
        IssueAsync(http, [resolver.EffectiveOptions(action.Definition)], jwt, clock, throttle);

    private static async Task<Results<Ok<TokenResponse>, JsonHttpResult<OAuthError>, JsonHttpResult<ErrorResponse>>> IssueAsync(
        HttpContext http, IEnumerable<CallerAuthOptions> candidates, JwtValidation jwt, TimeProvider clock, FailedAuthenticationThrottle throttle)
    {
        var issuers = candidates.Where(o => o.Scheme == CallerSchemes.OAuth2 && o.OAuth2.Mode == CallerSchemes.IssueMode)
            .Select(o => o.OAuth2).Distinct().ToList();
        if (issuers.Count == 0)
            return NotFound("This service issues no tokens here.");

        if (throttle.RetryAfter(http) is { } retryAfter)
            return FailedAuthenticationThrottle.TooMany(http, retryAfter);
        if (!http.Request.HasFormContentType)
            return Error(400, "invalid_request", "The request must be application/x-www-form-urlencoded.");
        if (http.Request.ContentLength > MaxFormBytes)
            return TooLarge();
        IFormCollection form;
        try
        {
            form = await http.Request.ReadFormAsync(http.RequestAborted);
        }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge })
        {
            // A form past the endpoint's form limits (a body without Content-Length, or too many or too long fields).
            return TooLarge();
        }
        if (form["grant_type"] != "client_credentials")
            return Error(400, "unsupported_grant_type", "Only grant_type=client_credentials is supported.");

        var (clientId, secret) = Credentials(http.Request, form);
        if (clientId is null || secret is null)
            return Error(401, "invalid_client", "Client authentication failed.");

        foreach (var issuer in issuers)
        {
            var matched = false;
            foreach (var (id, hash) in issuer.Clients)
                matched |= SecretComparer.Matches(clientId, id) & SecretComparer.MatchesHash(secret, hash);
            if (matched)
                return TypedResults.Ok(new TokenResponse(jwt.Issue(clientId, issuer, clock.GetUtcNow()), "Bearer", issuer.TokenLifetimeMinutes * 60));
        }
        throttle.Failed(http, "Token endpoint", "unknown client or wrong secret");
        return Error(401, "invalid_client", "Client authentication failed.");
    }

    private static JsonHttpResult<ErrorResponse> TooLarge() =>
        ContractErrors.Result(StatusCodes.Status413PayloadTooLarge, ContractErrors.ForStatus(StatusCodes.Status413PayloadTooLarge, $"The token request exceeds {MaxFormBytes} bytes."));

    private static JsonHttpResult<ErrorResponse> NotFound(string message) =>
        ContractErrors.Result(StatusCodes.Status404NotFound, ContractErrors.ForStatus(StatusCodes.Status404NotFound, message));

    private static (string? Id, string? Secret) Credentials(HttpRequest request, IFormCollection form)
    {
        if (AuthenticationHeaderValue.TryParse(request.Headers.Authorization, out var header) &&
            "Basic".Equals(header.Scheme, StringComparison.OrdinalIgnoreCase) && header.Parameter is not null)
        {
            try
            {
                var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header.Parameter)).Split(':', 2);
                if (pair.Length == 2)
                    return (Uri.UnescapeDataString(pair[0]), Uri.UnescapeDataString(pair[1]));
            }
            catch (FormatException)
            {
                return (null, null);
            }
        }
        var id = form["client_id"].ToString();
        var secret = form["client_secret"].ToString();
        return (id.Length > 0 ? id : null, secret.Length > 0 ? secret : null);
    }

    private static JsonHttpResult<OAuthError> Error(int status, string code, string description) =>
        TypedResults.Json(new OAuthError(code, description), statusCode: status);
}
