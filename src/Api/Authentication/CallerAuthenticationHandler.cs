using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using ExternalAction.Actions;
using ExternalAction.Api.Errors;
using ExternalAction.Api.Platform;
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
    CallerAuthResolver resolver,
    JwtValidation jwt,
    FailedAuthenticationThrottle throttle)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    private TimeSpan? _throttled;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        // An address past its failure budget is refused before its credentials are looked at, so a right guess
        // cannot be told from a wrong one. Public endpoints ignore the failure; protected ones answer 429.
        if (throttle.RetryAfter(Context) is { } retryAfter)
        {
            _throttled = retryAfter;
            return AuthenticateResult.Fail("too many failed attempts from this address");
        }
        var auth = resolver.EffectiveOptions(ResolvedAction.Of(Context)?.Definition);
        return auth.Scheme switch
        {
            CallerSchemes.ApiKey => ApiKey(auth.ApiKey),
            CallerSchemes.Basic => Basic(auth.Basic),
            CallerSchemes.OAuth2 => await BearerAsync(auth.OAuth2),
            _ => AuthenticateResult.Fail("no caller authentication is configured"),
        };
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (_throttled is { } retryAfter)
        {
            await FailedAuthenticationThrottle.TooMany(Context, retryAfter).ExecuteAsync(Context);
            return;
        }
        // Counted here, on endpoints that need the caller, not on public ones that merely saw a header.
        if ((await HandleAuthenticateOnceSafeAsync()).Failure is { } failure)
            throttle.Failed(Context, "Caller", failure.Message);
        var auth = resolver.EffectiveOptions(ResolvedAction.Of(Context)?.Definition);
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

    private AuthenticateResult ApiKey(ApiKeyAuthOptions options)
    {
        var header = Request.Headers[options.HeaderName].ToString();
        // Adobe's Postman collection sends the key as a bearer token.
        var presented = header.Length > 0 ? header : BearerToken();
        if (presented is null)
            return Request.Headers.ContainsKey(options.HeaderName) ? AuthenticateResult.Fail("the API key header is empty") : AuthenticateResult.NoResult();
        if (string.IsNullOrWhiteSpace(presented))
            return AuthenticateResult.Fail("the API key is blank"); // never compared: no configured key may match it
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
        if (user.Length == 0 || password.Length == 0)
            return AuthenticateResult.Fail("the Basic credentials have an empty user or password");
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
