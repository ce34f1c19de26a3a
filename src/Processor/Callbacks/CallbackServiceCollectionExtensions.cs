using ExternalAction.Processor.Outbound;
using ExternalAction.ServiceDefaults.Secrets;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ExternalAction.Processor.Callbacks;

public static class CallbackServiceCollectionExtensions
{
    public static IServiceCollection AddCallbacks(this IServiceCollection services)
    {
        services.AddOptions<CallbackOptions>().BindConfiguration(CallbackOptions.Section)
            .Validate(o => o.TimeoutSeconds is >= 1 and <= 600, $"{CallbackOptions.Section}:TimeoutSeconds must be between 1 and 600.")
            .Validate(o => string.IsNullOrWhiteSpace(o.ImsTokenUrl) || Uri.TryCreate(o.ImsTokenUrl, UriKind.Absolute, out _),
                $"{CallbackOptions.Section}:ImsTokenUrl must be an absolute URL.")
            .Validate(o => string.IsNullOrWhiteSpace(o.ImsTokenUrl) || !string.IsNullOrWhiteSpace(o.ClientId),
                $"{CallbackOptions.Section}:ClientId is required when ImsTokenUrl is set.")
            .Validate<SecretResolver>((o, secrets) => string.IsNullOrWhiteSpace(o.ImsTokenUrl) || secrets.TryResolve(o.ClientSecretName, out _),
                $"{CallbackOptions.Section}:ImsTokenUrl is set but its client secret is not: set 'Secrets:<ClientSecretName>' (default Secrets:ims-client-secret).")
            .Validate(o => o.RefreshBeforeExpirySeconds >= 0, $"{CallbackOptions.Section}:RefreshBeforeExpirySeconds must not be negative.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SecretResolver>();
        // One provider for the process, so every callback shares the cached token.
        // Outbound safety (no redirects, address check, per-host bulkhead, no trace context): src/Processor/Outbound.
        // No request logging on either client: the callback URL comes from the platform (hostile input, and its query
        // may carry a token); outcomes are recorded in the status row instead.
        services.AddHttpClient(nameof(ImsTokenProvider)).RemoveAllLoggers().AddOutboundSafety();
        services.AddSingleton<ImsTokenProvider>();
        // Per-attempt timeouts come from the callbacks' resilience pipeline; the client's own timeout is only a backstop.
        services.AddHttpClient<CallbackClient>(c => c.Timeout = TimeSpan.FromMinutes(11)).RemoveAllLoggers().AddOutboundSafety();
        return services;
    }

    /// <summary>In a host that sends callbacks: the start-up warning when no IMS token endpoint is configured.</summary>
    public static IServiceCollection AddCallbackWarnings(this IServiceCollection services)
    {
        services.AddHostedService<NoImsWarning>();
        return services;
    }

    private sealed class NoImsWarning(IOptions<CallbackOptions> options, ILogger<NoImsWarning> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            if (string.IsNullOrWhiteSpace(options.Value.ImsTokenUrl))
                logger.LogWarning("{Section}:ImsTokenUrl is not set: callbacks are sent without an Authorization header, which the platform refuses. Fine for local trials only.", CallbackOptions.Section);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
