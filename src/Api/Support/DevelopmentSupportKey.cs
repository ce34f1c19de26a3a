using Microsoft.Extensions.Options;

namespace ExternalAction.Api.Support;

/// <summary>
/// First run: in Development with no support key or user configured, one operator named <c>developer</c> signs in with
/// the documented <see cref="Key"/>, so a newcomer sees the console at once; a warning at start says so. Never active
/// in any other environment, nor once any support credential (or an OIDC provider) is configured.
/// </summary>
public sealed class DevelopmentSupportKey(IOptions<SupportOptions> options)
{
    public const string Key = "development-support-key";
    public const string UserName = "developer";

    public bool Active => options.Value.Users is [{ Name: UserName, Key: Key }] && options.Value.ApiKeys.Count == 0;

    internal static void AddIfNothingConfigured(SupportOptions options, IHostEnvironment environment)
    {
        if (environment.IsDevelopment() && options.ApiKeys.Count == 0 && options.Users.Count == 0 && !options.Oidc.Enabled)
            options.Users.Add(new SupportUser { Name = UserName, Key = Key, Role = SupportRoles.Operator });
    }

    internal sealed class Warning(DevelopmentSupportKey key, ILogger<DevelopmentSupportKey> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            if (key.Active)
                logger.LogWarning("Development: the support console (/console) and API accept the development support key documented in README (operator {User}). Configure {Section} for anything else.",
                    UserName, SupportOptions.Section);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
