using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using ExternalAction.Actions;
using ExternalAction.Api.Errors;
using ExternalAction.Contracts.Platform;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace ExternalAction.Api.Authentication;

/// <summary>
/// Authenticates the journey platform with the one scheme in force for the action the request is for: an API key
/// (in its header or as <c>Authorization: Bearer &lt;key&gt;</c>), HTTP Basic, or an OAuth2 bearer JWT. Presented
/// credentials are never logged or echoed; failures answer 401 in the contract's error shape.
/// </summary>
public sealed class CallerAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    ActionCatalog catalog,
    CallerAuthResolver resolver,
    JwtValidation jwt)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var auth = resolver.EffectiveOptions(ResolveAction());
        var result = auth.Scheme switch
        {
            CallerSchemes.ApiKey => ApiKey(auth.ApiKey),
            CallerSchemes.Basic => Basic(auth.Basic),
            CallerSchemes.OAuth2 => await BearerAsync(auth.OAuth2),
            _ => AuthenticateResult.Fail("no caller authentication is configured"),
        };
        if (result.Failure is { } failure)
            Logger.LogInformation("Caller authentication failed: {Reason}", failure.Message);
        return result;
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var auth = resolver.EffectiveOptions(ResolveAction());
        Response.Headers.WWWAuthenticate = auth.Scheme switch
        {
            CallerSchemes.Basic => "Basic realm=\"ExternalAction\", charset=\"UTF-8\"",
            CallerSchemes.OAuth2 => "Bearer",
            _ => $"ApiKey header=\"{auth.ApiKey.HeaderName}\"",
        };
        await ContractErrors.WriteAsync(Context, StatusCodes.Status401Unauthorized,
            ContractErrors.Create(ErrorCodes.Unauthorized, "Missing or invalid credentials."));
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ContractErrors.WriteAsync(Context, StatusCodes.Status403Forbidden,
            ContractErrors.Create(ErrorCodes.Forbidden, "These credentials may not call this action."));

    private ActionDefinition? ResolveAction() =>
        Context.GetRouteValue("action") is string name ? catalog.Find(name) : catalog.Single;

    private AuthenticateResult ApiKey(ApiKeyAuthOptions options)
    {
        string? presented = Request.Headers.TryGetValue(options.HeaderName, out var header) && header.Count > 0 ? header.ToString() : null;
        // Adobe's Postman collection sends the key as a bearer token.
        presented ??= BearerToken();
        if (presented is null)
            return AuthenticateResult.NoResult();
        return SecretComparer.MatchesAny(presented, options.Keys)
            ? Success("api-key-client")
            : AuthenticateResult.Fail("the API key does not match");
    }

    private AuthenticateResult Basic(BasicAuthOptions options)
    {
        if (!AuthenticationHeaderValue.TryParse(Request.Headers.Authorization, out var header) ||
            !"Basic".Equals(header.Scheme, StringComparison.OrdinalIgnoreCase) || header.Parameter is null)
            return AuthenticateResult.NoResult();
        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header.Parameter));
        }
        catch (FormatException)
        {
            return AuthenticateResult.Fail("the Basic credentials are not base64");
        }
        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
            return AuthenticateResult.Fail("the Basic credentials have no ':'");
        var user = decoded[..colon];
        var password = decoded[(colon + 1)..];
        // Compare against every user so the time taken does not reveal which names exist.
        var ok = false;
        foreach (var (name, expected) in options.Users)
            ok |= SecretComparer.Matches(user, name) & SecretComparer.Matches(password, expected);
        return ok ? Success(user) : AuthenticateResult.Fail("unknown user or wrong password");
    }

    private async Task<AuthenticateResult> BearerAsync(OAuth2AuthOptions options)
    {
        var token = BearerToken();
        if (token is null)
            return AuthenticateResult.NoResult();
        var result = await jwt.ValidateAsync(token, options, Context.RequestAborted);
        if (!result.IsValid)
            return AuthenticateResult.Fail($"the bearer token is not valid ({result.Exception?.GetType().Name ?? "invalid"})");
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(result.ClaimsIdentity), Scheme.Name));
    }

    private string? BearerToken() =>
        AuthenticationHeaderValue.TryParse(Request.Headers.Authorization, out var header) &&
        "Bearer".Equals(header.Scheme, StringComparison.OrdinalIgnoreCase) && !string.IsNullOrWhiteSpace(header.Parameter)
            ? header.Parameter
            : null;

    private AuthenticateResult Success(string name) =>
        AuthenticateResult.Success(new AuthenticationTicket(
            new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, name)], Scheme.Name)), Scheme.Name));
}
