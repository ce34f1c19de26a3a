using ExternalAction.Processor.Outbound;
using ExternalAction.Processor.Templating;
using ExternalAction.ServiceDefaults.Secrets;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ExternalAction.Api.Decisioning;

public static class DecisioningServiceCollectionExtensions
{
    /// <summary>
    /// The <see cref="Decider"/> and its lookup client: the Processor's outbound primary handler (address policy at
    /// connect time, no redirects, connect timeout) without the per-host bulkhead, which shares consumer slots the Api
    /// does not have; the budget's Polly timeout bounds each call instead.
    /// </summary>
    public static IServiceCollection AddDecisioning(this IServiceCollection services)
    {
        services.AddOutboundHttp();
        services.TryAddSingleton<SecretResolver>();
        services.TryAddSingleton<TemplateRenderer>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpClient(Decider.ClientName, c =>
            {
                c.Timeout = System.Threading.Timeout.InfiniteTimeSpan;
                c.MaxResponseContentBufferSize = Decider.MaxResponseBytes;
            })
            .ConfigurePrimaryHttpMessageHandler(sp => OutboundHttpExtensions.CreatePrimaryHandler(sp.GetRequiredService<IOptions<OutboundOptions>>().Value))
            .AddHttpMessageHandler(() => new RedirectRefusal());
        services.TryAddSingleton<Decider>();
        // Lookup secrets and addresses checked before the Api starts (a failing lookup would only ever answer the fallback).
        services.AddHostedService<DecisionLookupChecks>();
        return services;
    }
}
