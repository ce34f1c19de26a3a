using System.Globalization;
using System.Security.Claims;
using ExternalAction.Api.Support;
using ExternalAction.ServiceDefaults.Secrets;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace ExternalAction.Api.Console;

/// <summary>
/// The console's sign-in through an external OpenID Connect provider (<see cref="SupportOidcOptions"/>): the
/// authorization code flow with PKCE, the code returned in the query (so the correlation and nonce cookies can stay
/// SameSite=Lax), the id_token validated by the handler (signature from the provider's JWKS, issuer, audience = client
/// id, lifetime, nonce). The person's claims are then replaced by a support user (name and role from the mapping), signed
/// into the console's own cookie exactly like a key user; nothing else of the provider's token is kept but the id_token,
/// as the hint for the provider's sign-out.
/// </summary>
public static class ConsoleOidc
{
    public const string Scheme = "SupportConsoleOidc";
    public const string CallbackPath = SupportConsole.BasePath + "/signin-oidc";
    public const string SignedOutCallbackPath = SupportConsole.BasePath + "/signout-oidc";
    public const string DeniedPath = SupportConsole.BasePath + "/signin/denied";

    /// <summary>The claim marking a console session as signed in through the provider (not with a key).</summary>
    public const string MethodClaim = "externalaction:signin";
    public const string MethodValue = "oidc";

    /// <summary>
    /// When the person signed in (unix seconds). The provider decides who is in which group: a session it opened lasts
    /// <c>ConsoleSessionMinutes</c> from this time however busy, so a person taken out of a group loses access by then.
    /// </summary>
    public const string SignedInAtClaim = "externalaction:signedin";

    public static DateTimeOffset? SignedInAt(ClaimsPrincipal principal) =>
        long.TryParse(principal.FindFirstValue(SignedInAtClaim), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null;

    /// <summary>Whether the configuration turns the provider on (read at registration: the handler exists only then).</summary>
    public static bool Configured(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration[SupportOidcOptions.Section + ":Authority"]);

    internal static void Add(IServiceCollection services, IHostEnvironment environment)
    {
        services.AddAuthentication().AddOpenIdConnect(Scheme, _ => { });
        services.AddOptions<OpenIdConnectOptions>(Scheme).Configure<IOptions<SupportOptions>, SecretResolver>((o, support, secrets) =>
        {
            var oidc = support.Value.Oidc;
            o.Authority = oidc.Authority;
            o.ClientId = oidc.ClientId;
            if (oidc.ClientSecretName is { Length: > 0 } secret)
                o.ClientSecret = secrets.Resolve(secret);
            o.RequireHttpsMetadata = !environment.IsDevelopment();
            o.ResponseType = OpenIdConnectResponseType.Code;
            o.ResponseMode = OpenIdConnectResponseMode.Query;
            o.UsePkce = true;
            o.Scope.Clear();
            o.Scope.Add(OpenIdConnectScope.OpenId);
            foreach (var scope in oidc.Scopes.Where(s => s != OpenIdConnectScope.OpenId))
                o.Scope.Add(scope);
            o.CallbackPath = CallbackPath;
            o.SignedOutCallbackPath = SignedOutCallbackPath;
            o.RemoteSignOutPath = SupportConsole.BasePath + "/signout-remote";
            o.SignInScheme = SupportConsole.Scheme;
            o.SignOutScheme = SupportConsole.Scheme;
            o.SignedOutRedirectUri = SupportConsole.BasePath + "/signin";
            o.MapInboundClaims = false;
            o.GetClaimsFromUserInfoEndpoint = false;
            o.SaveTokens = false;
            o.DisableTelemetry = true;
            o.TokenValidationParameters.NameClaimType = oidc.NameClaim;
            o.TokenValidationParameters.RoleClaimType = oidc.RoleClaim;
            foreach (var cookie in new[] { o.CorrelationCookie, o.NonceCookie })
            {
                cookie.Path = SupportConsole.BasePath;
                cookie.SameSite = SameSiteMode.Lax;
                cookie.SecurePolicy = environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
            }
            o.Events.OnTokenValidated = TokenValidated;
            o.Events.OnRemoteFailure = RemoteFailure;
            o.Events.OnAccessDenied = AccessDenied;
        });
    }

    /// <summary>The provider's id_token is good: make the support user, or refuse the person.</summary>
    private static Task TokenValidated(TokenValidatedContext context)
    {
        var options = context.HttpContext.RequestServices.GetRequiredService<IOptionsMonitor<SupportOptions>>().CurrentValue.Oidc;
        var mapping = options.Map(context.Principal!.Claims);
        if (mapping.User is not { } user)
        {
            Logger(context.HttpContext).LogWarning("Support console: a sign-in through the OIDC provider was refused ({Refusal}; the {NameClaim} and {RoleClaim} claims decide).",
                mapping.Refusal, options.NameClaim, options.RoleClaim);
            context.Response.Redirect($"{DeniedPath}?why={(mapping.Refusal == OidcRefusal.NoRole ? "role" : "name")}");
            context.HandleResponse();
            return Task.CompletedTask;
        }
        var principal = SupportConsole.Principal(user);
        var identity = (ClaimsIdentity)principal.Identity!;
        identity.AddClaim(new(MethodClaim, MethodValue));
        var now = context.HttpContext.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        identity.AddClaim(new(SignedInAtClaim, now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), ClaimValueTypes.Integer64));
        context.Principal = principal;
        // Only the id_token is kept in the (encrypted) cookie: the provider's sign-out takes it as id_token_hint.
        var idToken = context.TokenEndpointResponse?.IdToken ?? context.ProtocolMessage?.IdToken;
        if (idToken is not null)
            context.Properties!.StoreTokens([new AuthenticationToken { Name = OpenIdConnectParameterNames.IdToken, Value = idToken }]);
        context.Properties!.IsPersistent = true;
        // Land on a page that moves on by itself: the SameSite=Strict cookie is not sent on a redirect chain that began at the provider.
        context.Properties.RedirectUri = SupportConsole.BasePath + "/signin/complete?returnUrl=" + Uri.EscapeDataString(SignInReturn(context.Properties.RedirectUri));
        Logger(context.HttpContext).LogInformation("Support console: {User} ({Role}) signed in through the OIDC provider.", user.Name, user.Role);
        return Task.CompletedTask;
    }

    /// <summary>State, nonce, token or signature refused, the provider unreachable: a page saying so, never the exception.</summary>
    private static Task RemoteFailure(RemoteFailureContext context)
    {
        // The message may quote the callback's error_description, which anyone can write: no control characters, bounded.
        var message = new string((context.Failure?.Message ?? "").Take(300).Select(c => char.IsControl(c) ? ' ' : c).ToArray());
        Logger(context.HttpContext).LogWarning("Support console: a sign-in through the OIDC provider failed: {Failure}: {Message}", context.Failure?.GetType().Name, message);
        context.Response.Redirect(DeniedPath + "?why=failed");
        context.HandleResponse();
        return Task.CompletedTask;
    }

    private static Task AccessDenied(AccessDeniedContext context)
    {
        context.Response.Redirect(DeniedPath + "?why=cancelled");
        context.HandleResponse();
        return Task.CompletedTask;
    }

    private static string SignInReturn(string? url) => SupportConsole.LocalReturnUrl(url) ?? SupportConsole.BasePath;

    private static ILogger Logger(HttpContext context) =>
        context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ConsoleOidc).FullName!);

    /// <summary>
    /// The provider's end-session endpoint from its discovery document, or null when it publishes none (or cannot be
    /// reached now: the local session ends all the same).
    /// </summary>
    public static async Task<string?> EndSessionEndpointAsync(HttpContext context, CancellationToken ct)
    {
        var options = context.RequestServices.GetRequiredService<IOptionsMonitor<OpenIdConnectOptions>>().Get(Scheme);
        try
        {
            var configuration = await options.ConfigurationManager!.GetConfigurationAsync(ct);
            return string.IsNullOrEmpty(configuration.EndSessionEndpoint) ? null : configuration.EndSessionEndpoint;
        }
        catch (Exception e) when (e is HttpRequestException or InvalidOperationException or IOException or TaskCanceledException)
        {
            Logger(context).LogWarning("Support console: the OIDC provider's discovery document could not be read at sign-out ({Error}); only the local session ended.", e.GetType().Name);
            return null;
        }
    }

    /// <summary>The origin of the provider, which the console's forms may be redirected to (sign-in and sign-out).</summary>
    public static string? ProviderOrigin(IConfiguration configuration) =>
        Uri.TryCreate(configuration[SupportOidcOptions.Section + ":Authority"], UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Authority) : null;
}
