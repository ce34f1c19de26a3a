using System.Net.Http.Headers;
using System.Text;
using ExternalAction.Actions;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ExternalAction.Api.Authentication;

/// <summary>
/// <c>POST /oauth/token</c>: the OAuth2 client-credentials grant (RFC 6749 §4.4) for deployments whose caller scheme
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

    public static async Task<Results<Ok<TokenResponse>, JsonHttpResult<OAuthError>, NotFound>> Issue(
        HttpContext http, ActionCatalog catalog, CallerAuthResolver resolver, JwtValidation jwt, TimeProvider clock)
    {
        // Every issuing configuration in force (the deployment's and actions' own) may mint tokens for its clients.
        var issuers = catalog.All.Select(resolver.EffectiveOptions).Append(resolver.EffectiveOptions(null))
            .Where(o => o.Scheme == CallerSchemes.OAuth2 && o.OAuth2.Mode == CallerSchemes.IssueMode)
            .Select(o => o.OAuth2).Distinct().ToList();
        if (issuers.Count == 0)
            return TypedResults.NotFound();

        if (!http.Request.HasFormContentType)
            return Error(400, "invalid_request", "The request must be application/x-www-form-urlencoded.");
        var form = await http.Request.ReadFormAsync(http.RequestAborted);
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
        return Error(401, "invalid_client", "Client authentication failed.");
    }

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
