using ExternalAction.Actions;
using ExternalAction.Processor.Engine;
using ExternalAction.Processor.Outbound;
using ExternalAction.ServiceDefaults.Secrets;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ExternalAction.Processor.Adapters.Ajo;

public static class AjoRegistration
{
    /// <summary>AJO custom actions on the engine: the adapter, the status-webhook reporter and its outbound client.</summary>
    public static IServiceCollection AddAjoContract(this IServiceCollection services)
    {
        services.AddContract<AjoAdapter, AjoStatusReporter>();
        // No request logging: the outcome is recorded in the row; the client never follows redirects (outbound safety).
        services.AddHttpClient(AjoStatusReporter.ClientName, c => c.Timeout = TimeSpan.FromMinutes(2)).RemoveAllLoggers().AddOutboundSafety();
        services.TryAddSingleton<SecretResolver>();
        return services;
    }

    /// <summary>In a host that reports: every status webhook's HMAC secret is configured, checked before anything starts.</summary>
    public static IServiceCollection AddAjoStatusWebhookChecks(this IServiceCollection services)
    {
        services.AddHostedService<StatusWebhookChecks>();
        return services;
    }

    /// <summary>Before anything starts in a host that reports: every status webhook's HMAC secret is configured.</summary>
    private sealed class StatusWebhookChecks(ActionCatalog catalog, SecretResolver secrets) : IHostedLifecycleService
    {
        public Task StartingAsync(CancellationToken cancellationToken)
        {
            var problems = catalog.All
                .Where(a => a.Ajo?.StatusWebhook is { } hook && !secrets.TryResolve(hook.Secret, out _))
                .Select(a => $"action '{a.Name}': key 'ajo.statusWebhook.secret': {MissingSecretException.Describe(a.Ajo!.StatusWebhook!.Secret)}")
                .ToList();
            return problems.Count == 0 ? Task.CompletedTask : throw ActionDefinitionException.Invalid(catalog.File ?? "(not read from a file)", problems);
        }

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
