using ExternalAction.Actions;
using ExternalAction.Contracts.Json;
using ExternalAction.Processor.Outbound;
using ExternalAction.Processor.Templating;
using ExternalAction.ServiceDefaults.Secrets;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Refit;

namespace ExternalAction.Processor.Delivery;

public static class DeliveryServiceCollectionExtensions
{
    public static IServiceCollection AddChannelDelivery(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SecretResolver>();
        services.AddSingleton<TemplateRenderer>();
        services.AddSingleton<ChannelDelivery>();
        services.AddOutboundHttp();
        services.AddSingleton<ClientCertificateClients>();
        services.AddSingleton<ChannelClients>();
        var refit = Refit;
        // One client per kind, registered once (the source-generated Refit clients: no reflection). Per-attempt timeouts are set per channel (OutboundPipelines); the
        // client's own timeout is only a backstop. No request logging: channel URLs can be credentials (Slack webhooks)
        // or carry personal data from templates.
        // Outbound safety (no redirects, address check, per-host bulkhead, no trace context): src/Processor/Outbound.
        services.AddHttpClient(ChannelDelivery.WebhookClient).ConfigureHttpClient(c => Backstop(c, null)).RemoveAllLoggers().AddOutboundSafety();
        // Refit wants a base address even when every call passes its whole URL ([Url]): the service's own host.
        services.AddRefitGeneratedClient<ISlackWebhookApi>(refit).ConfigureHttpClient(c => Backstop(c, SlackBaseUrl)).RemoveAllLoggers().AddOutboundSafety();
        services.AddRefitGeneratedClient<ITeamsWebhookApi>(refit).ConfigureHttpClient(c => Backstop(c, SlackBaseUrl)).RemoveAllLoggers().AddOutboundSafety();
        services.AddRefitGeneratedClient<ITwilioApi>(refit).ConfigureHttpClient(c => Backstop(c, ChannelDelivery.TwilioDefaultBaseUrl)).RemoveAllLoggers().AddOutboundSafety();
        services.AddRefitGeneratedClient<ISinchApi>(refit).ConfigureHttpClient(c => Backstop(c, ChannelUrls.SinchBaseUrl(region: null))).RemoveAllLoggers().AddOutboundSafety();
        return services;
    }

    internal const string SlackBaseUrl = "https://hooks.slack.com";

    /// <summary>
    /// The channels' Refit settings (the registered clients' and a preview's). Send failures reach the caller as HttpClient
    /// raised them (not wrapped in ApiRequestException), so Refit's clients and the plain webhook client are classified by
    /// the same code (HttpOutcome).
    /// </summary>
    internal static RefitSettings Refit { get; } = new(new SystemTextJsonContentSerializer(ContractJson.Options))
    {
        TransportExceptionFactory = static (_, exception, _) => exception,
    };

    private static void Backstop(HttpClient client, string? baseUrl)
    {
        client.Timeout = TimeSpan.FromMinutes(11);
        if (baseUrl is not null)
            client.BaseAddress = new Uri(baseUrl);
    }
}
