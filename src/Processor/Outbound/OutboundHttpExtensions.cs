using System.Net;
using ExternalAction.ServiceDefaults.Observability;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Telemetry;

namespace ExternalAction.Processor.Outbound;

/// <summary>
/// What every outbound client of the Processor (channels, callbacks, IMS) is built with: no redirects, a connect-time
/// address check, a short connect timeout, the per-host bulkhead, and trace context only where
/// <c>PropagateTraceContextTo</c> lists the host; and the resilience pipelines their attempts run through
/// (<see cref="OutboundPipelines"/>).
/// </summary>
public static class OutboundHttpExtensions
{
    public static IServiceCollection AddOutboundHttp(this IServiceCollection services)
    {
        services.AddOptions<OutboundOptions>().BindConfiguration(OutboundOptions.Section)
            .Validate(o => o.AllowedNetworks.All(n => IPNetwork.TryParse(n, out _)),
                $"{OutboundOptions.Section}:AllowedNetworks must hold CIDR ranges such as 127.0.0.0/8 or ::1/128 (base address with no bits set beyond the prefix).")
            .Validate(o => o.ConnectTimeoutSeconds is > 0 and <= 120, $"{OutboundOptions.Section}:ConnectTimeoutSeconds must be above 0 and at most 120.")
            .Validate(o => o.PerHostConcurrencyShare is > 0 and <= 1, $"{OutboundOptions.Section}:PerHostConcurrencyShare must be above 0 and at most 1.")
            .Validate(o => o.BusyRetryAfterSeconds is > 0 and <= 300, $"{OutboundOptions.Section}:BusyRetryAfterSeconds must be above 0 and at most 300.")
            .Validate(o => o.BusyWaitMilliseconds is >= 0 and <= 5000, $"{OutboundOptions.Section}:BusyWaitMilliseconds must be between 0 and 5000.")
            .ValidateOnStart();
        services.AddTraceContextPolicy();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<HostBulkhead>();
        services.AddResiliencePipelineRegistry<string>();
        services.TryAddSingleton<OutboundPipelines>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<TelemetryOptions>, PipelineTelemetry>());
        return services;
    }

    /// <summary>Builds the client on <see cref="CreatePrimaryHandler"/> with the bulkhead and the redirect refusal in front.</summary>
    public static IHttpClientBuilder AddOutboundSafety(this IHttpClientBuilder builder)
    {
        builder.Services.AddOutboundHttp();
        builder.ConfigurePrimaryHttpMessageHandler(sp => CreatePrimaryHandler(sp.GetRequiredService<IOptions<OutboundOptions>>().Value));
        builder.AddHttpMessageHandler(sp => new HostBulkhead.Handler(sp.GetRequiredService<HostBulkhead>()));
        builder.AddHttpMessageHandler(() => new RedirectRefusal());
        return builder;
    }

    public static SocketsHttpHandler CreatePrimaryHandler(OutboundOptions options) => new()
    {
        // Typed clients live as long as the singletons holding them (ChannelDelivery, the callback's ActionProcessor), so
        // the factory never hands them a new handler: connections are renewed here instead, as the factory would every
        // two minutes, and each new connection goes through the address check again.
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        AllowAutoRedirect = false,
        ConnectTimeout = TimeSpan.FromSeconds(options.ConnectTimeoutSeconds),
        ConnectCallback = GuardedConnect.Callback(AddressPolicy.From(options)),
        ActivityHeadersPropagator = TraceContextPolicy.Propagator,
    };

    /// <summary>
    /// What Polly's telemetry says about outbound attempts: a result by its failure kind, status and reason only (never
    /// the response body, which may hold personal data), and pauses, timeouts and full queues as warnings, since each
    /// ends as a rescheduled request, not an error.
    /// </summary>
    private sealed class PipelineTelemetry : IConfigureOptions<TelemetryOptions>
    {
        private static readonly HashSet<string> Expected = new(StringComparer.Ordinal) { "OnCircuitOpened", "OnTimeout", "OnRateLimiterRejected" };

        public void Configure(TelemetryOptions options)
        {
            var formatter = options.ResultFormatter;
            options.ResultFormatter = (context, result) => result is OutboundResult r ? $"{r.Failure} {r.StatusCode} {r.Error}" : formatter(context, result);
            options.SeverityProvider = args => Expected.Contains(args.Event.EventName) ? ResilienceEventSeverity.Warning : args.Event.Severity;
        }
    }
}
