using ExternalAction.Processor.Engine;
using ExternalAction.Processor.Outbound;
using Refit;

namespace ExternalAction.Processor.Adapters.Sfmc;

public static class SfmcServiceCollectionExtensions
{
    /// <summary>The SFMC contract on the engine: its adapter, its reporter and the Marketing Cloud REST client the write-back uses.</summary>
    public static IServiceCollection AddSfmcContract(this IServiceCollection services)
    {
        var refit = Delivery.DeliveryServiceCollectionExtensions.Refit;
        // No request logging: the token request carries the client secret, the upsert the bearer token and contact data.
        // Outbound safety (no redirects, address check, per-host bulkhead, no trace context): src/Processor/Outbound.
        // Refit wants a base address even when every call passes its whole URL ([Url]).
        services.AddRefitGeneratedClient<IMarketingCloudApi>(refit)
            .ConfigureHttpClient(c =>
            {
                c.Timeout = TimeSpan.FromMinutes(11);
                c.BaseAddress = new Uri(MarketingCloudClient.BaseAddress);
            })
            .RemoveAllLoggers().AddOutboundSafety();
        services.AddSingleton<MarketingCloudClient>();
        services.AddContract<SfmcAdapter, SfmcReporter>();
        return services;
    }
}
