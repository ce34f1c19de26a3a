using ExternalAction.Processor.Outbound;
using ExternalAction.Processor.Templating;
using ExternalAction.ServiceDefaults.Secrets;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ExternalAction.Processor.Delivery;

public static class DeliveryServiceCollectionExtensions
{
    public static IServiceCollection AddChannelDelivery(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SecretResolver>();
        services.AddSingleton<TemplateRenderer>();
        services.AddSingleton<ChannelBudgets>();
        services.AddSingleton<ChannelDelivery>();
        // Per-attempt timeouts are set per channel; the client's own timeout is only a backstop.
        // No request logging: channel URLs can be credentials (Slack webhooks) or carry personal data from templates.
        // Outbound safety (no redirects, address check, per-host bulkhead, no trace context): src/Processor/Outbound.
        services.AddHttpClient(ChannelDelivery.WebhookClient, c => c.Timeout = TimeSpan.FromMinutes(11)).RemoveAllLoggers().AddOutboundSafety();
        return services;
    }
}
