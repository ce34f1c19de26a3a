using ExternalAction.Actions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ExternalAction.Api.Authentication;

/// <summary>
/// Registration of caller authentication. Closed by default: outside Development the service refuses to start when
/// the deployment or any action has no usable credential; in Development an unconfigured deployment accepts the
/// documented development key.
/// </summary>
public static class CallerAuthentication
{
    public const string SchemeName = "Caller";
    public const string PolicyName = "Caller";
    public const string Section = "ExternalAction:Auth";

    public static IServiceCollection AddCallerAuthentication(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.AddOptions<CallerAuthOptions>()
            .BindConfiguration(Section)
            .PostConfigure(o =>
            {
                if (environment.IsDevelopment() && string.IsNullOrEmpty(o.Scheme))
                {
                    // Development convenience, documented in README: never active in any other environment.
                    o.Scheme = CallerSchemes.ApiKey;
                    o.ApiKey.Keys.Add(CallerSchemes.DevelopmentKey);
                }
            });
        services.AddSingleton<IValidateOptions<CallerAuthOptions>, CallerAuthValidator>();
        services.AddOptions<CallerAuthOptions>().ValidateOnStart();
        services.AddHostedService<DevelopmentKeyWarning>();
        services.AddOptions<AuthThrottleOptions>().BindConfiguration(AuthThrottleOptions.Section)
            .Validate(o => o.MaxFailures is >= 1 and <= 1_000_000, $"{AuthThrottleOptions.Section}:MaxFailures must be between 1 and 1000000.")
            .Validate(o => o.WindowSeconds is >= 1 and <= 86_400, $"{AuthThrottleOptions.Section}:WindowSeconds must be between 1 and 86400.")
            .Validate(o => o.SummarySeconds is >= 1 and <= 86_400, $"{AuthThrottleOptions.Section}:SummarySeconds must be between 1 and 86400.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<FailedAuthenticationThrottle>();
        services.AddHttpClient(nameof(JwtValidation));
        services.AddSingleton<JwtValidation>();
        services.AddSingleton<CallerAuthResolver>();
        // The framework logs "was not authenticated" / "was challenged" at Information under the handler's category for
        // every failed attempt; FailedAuthenticationThrottle logs failures instead (Debug, plus a Warning summary).
        services.AddLogging(l => l.AddFilter(typeof(CallerAuthenticationHandler).FullName, LogLevel.Warning));
        services.AddAuthentication(SchemeName).AddScheme<AuthenticationSchemeOptions, CallerAuthenticationHandler>(SchemeName, null);
        services.AddAuthorizationBuilder().AddPolicy(PolicyName, p => p.AddAuthenticationSchemes(SchemeName).RequireAuthenticatedUser());
        return services;
    }

    /// <summary>Checks the deployment's and each action's effective credentials, naming the setting to fill.</summary>
    private sealed class CallerAuthValidator(ActionCatalog catalog) : IValidateOptions<CallerAuthOptions>
    {
        public ValidateOptionsResult Validate(string? name, CallerAuthOptions options)
        {
            var problems = new List<string>();
            var actionsWithoutOwn = catalog.All.Where(a => a.Auth is null).ToList();
            if (actionsWithoutOwn.Count > 0 || catalog.All.Count == 0)
                problems.AddRange(Problems(options, Section));
            foreach (var action in catalog.All.Where(a => a.Auth is not null))
                problems.AddRange(Problems(action.Auth!, $"actions[{action.Name}].auth"));
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }

        private static IEnumerable<string> Problems(CallerAuthOptions o, string where)
        {
            switch (o.Scheme)
            {
                case null or "":
                    yield return $"No caller credentials are configured: set {where}:Scheme (apiKey, basic or oauth2) and its credentials, e.g. {where}:ApiKey:Keys:0. The service does not start open.";
                    break;
                case CallerSchemes.ApiKey when !o.ApiKey.Keys.Any(k => !string.IsNullOrWhiteSpace(k)):
                    yield return $"{where}:ApiKey:Keys must hold at least one key.";
                    break;
                case CallerSchemes.ApiKey:
                    // Every entry, not just one: an empty entry would let an empty header authenticate.
                    for (var i = 0; i < o.ApiKey.Keys.Count; i++)
                        if (SecretRules.Problem(o.ApiKey.Keys[i]) is { } problem)
                            yield return $"{where}:ApiKey:Keys:{i} {problem}.";
                    break;
                case CallerSchemes.Basic when o.Basic.Users.Count == 0:
                    yield return $"{where}:Basic:Users must hold at least one user (name → password).";
                    break;
                case CallerSchemes.Basic:
                    foreach (var (user, password) in o.Basic.Users)
                    {
                        if (string.IsNullOrWhiteSpace(user) || user.Contains(':', StringComparison.Ordinal))
                            yield return $"{where}:Basic:Users holds a user name that is empty or contains ':'.";
                        else if (SecretRules.Problem(password) is { } problem)
                            yield return $"{where}:Basic:Users:{user} (the password) {problem}.";
                    }
                    break;
                case CallerSchemes.OAuth2 when o.OAuth2.Mode == CallerSchemes.IssueMode:
                    if (!IsKey(o.OAuth2.SigningKey))
                        yield return $"{where}:OAuth2:SigningKey must be base64 of at least 32 random bytes.";
                    if (o.OAuth2.Clients.Count == 0)
                        yield return $"{where}:OAuth2:Clients must hold at least one client (id → SHA-256 hex of its secret).";
                    foreach (var (client, hash) in o.OAuth2.Clients)
                        if (!IsSha256Hex(hash))
                            yield return $"{where}:OAuth2:Clients:{client} must be the SHA-256 of the client secret as 64 hex digits.";
                    break;
                case CallerSchemes.OAuth2 when o.OAuth2.Mode == CallerSchemes.ExternalMode:
                    if (string.IsNullOrWhiteSpace(o.OAuth2.Issuer)) yield return $"{where}:OAuth2:Issuer is required in external mode.";
                    if (string.IsNullOrWhiteSpace(o.OAuth2.Audience)) yield return $"{where}:OAuth2:Audience is required in external mode.";
                    if (string.IsNullOrWhiteSpace(o.OAuth2.MetadataAddress) && string.IsNullOrWhiteSpace(o.OAuth2.JwksUri))
                        yield return $"{where}:OAuth2:MetadataAddress or {where}:OAuth2:JwksUri is required in external mode.";
                    break;
                case CallerSchemes.OAuth2:
                    yield return $"{where}:OAuth2:Mode must be 'issue' or 'external'.";
                    break;
                default:
                    yield return $"{where}:Scheme must be apiKey, basic or oauth2.";
                    break;
            }
        }

        private static bool IsSha256Hex(string? hex) =>
            hex is { Length: 64 } && hex.All(char.IsAsciiHexDigit);

        private static bool IsKey(string? base64)
        {
            if (string.IsNullOrWhiteSpace(base64))
                return false;
            var buffer = new byte[base64.Length];
            return Convert.TryFromBase64String(base64, buffer, out var length) && length >= 32;
        }
    }

    private sealed class DevelopmentKeyWarning(IOptions<CallerAuthOptions> options, IHostEnvironment environment, ILogger<DevelopmentKeyWarning> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            if (environment.IsDevelopment() && options.Value.ApiKey.Keys.Contains(CallerSchemes.DevelopmentKey))
                logger.LogWarning("Development: callers may authenticate with the development API key documented in README (header {Header}). Configure {Section} for anything else.", options.Value.ApiKey.HeaderName, Section);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
