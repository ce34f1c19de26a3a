using ExternalAction.Actions;
using ExternalAction.Processor.Engine;
using ExternalAction.Processor.Outbound;
using ExternalAction.ServiceDefaults.Secrets;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

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

    /// <summary>In a host that reports: every status webhook's HMAC secret is configured and its URL reachable, checked before anything starts.</summary>
    public static IServiceCollection AddAjoStatusWebhookChecks(this IServiceCollection services)
    {
        services.AddHostedService<StatusWebhookChecks>();
        return services;
    }

    /// <summary>
    /// Before anything starts in a host that reports: every status webhook's HMAC secret is configured, and its URL is one
    /// outbound connections accept (https outside Development, no refused address literal: <see cref="ChannelChecks.Refusal(Uri, bool, bool, Func{System.Net.IPAddress, string?})"/>),
    /// so a webhook that can never be reached stops the start naming file, action and key instead of failing every report.
    /// </summary>
    private sealed class StatusWebhookChecks(ActionCatalog catalog, SecretResolver secrets, IHostEnvironment environment, IOptions<OutboundOptions> outbound)
        : StartupCheck
    {
        public override Task StartingAsync(CancellationToken cancellationToken)
        {
            var blocked = AddressPolicy.From(outbound.Value).BlockedRange;
            var problems = new List<string>();
            foreach (var action in catalog.All)
            {
                if (action.Ajo?.StatusWebhook is not { } hook)
                    continue;
                if (!secrets.TryResolve(hook.Secret, out _))
                    problems.Add($"action '{action.Name}': key 'ajo.statusWebhook.secret': {MissingSecretException.Describe(hook.Secret)}");
                if (ChannelUrls.Origin(hook.Url ?? "", isTemplate: false, out _) is { } origin
                    && ChannelChecks.Refusal(origin, showHost: true, environment.IsDevelopment(), blocked) is { } refusal)
                    problems.Add($"action '{action.Name}': key 'ajo.statusWebhook.url': {refusal}.");
            }
            return problems.Count == 0 ? Task.CompletedTask : throw ActionDefinitionException.Invalid(catalog.File ?? "(not read from a file)", problems);
        }
    }
}
