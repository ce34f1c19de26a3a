using ExternalAction.Actions;
using ExternalAction.Processor.Adapters.Ajo;
using ExternalAction.Processor.Adapters.B2B;
using ExternalAction.Processor.Adapters.Sfmc;
using ExternalAction.Processor.Alerts;
using ExternalAction.Processor.Callbacks;
using ExternalAction.Processor.Engine;
using ExternalAction.Processor.Delivery;
using ExternalAction.Processor.Outbound;
using ExternalAction.Processor.Processing;
using ExternalAction.Processor.Retries;
using ExternalAction.ServiceDefaults.Messaging;
using ExternalAction.Store.Retention;
using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ExternalAction.Processor;

/// <summary>Wires the Processor into a host: its own process, or the Api's in the embedded default.</summary>
public static class ProcessorRegistration
{
    public static IServiceCollection AddProcessor(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ProcessorOptions>().BindConfiguration(ProcessorOptions.Section)
            .Validate(o => o.RetryBaseSeconds > 0 && o.RetryMaxSeconds >= o.RetryBaseSeconds,
                $"{ProcessorOptions.Section}:RetryBaseSeconds must be positive and not above RetryMaxSeconds.")
            .Validate(o => o.StoreOutageWaitSeconds is >= 1 and <= 600 && o.StoreOutageRedeliverySeconds is >= 1 and <= 600,
                $"{ProcessorOptions.Section}:StoreOutageWaitSeconds and :StoreOutageRedeliverySeconds must be between 1 and 600.")
            .ValidateOnStart();
        services.AddProcessingEngine();
        // Fail fast on channels this process cannot deliver on: secrets, https, refused addresses (src/Actions/ChannelChecks.cs).
        services.AddChannelChecks(sp => AddressPolicy.From(sp.GetRequiredService<IOptions<OutboundOptions>>().Value).BlockedRange);
        services.AddCallbackWarnings();
        services.AddAjoStatusWebhookChecks();
        services.AddSingleton<ActionProcessor>();
        services.AddSingleton<UnreadableMessages>();
        services.AddOptions<BacklogOptions>().BindConfiguration(BacklogOptions.Section)
            .Validate(o => o.AtRiskMinutes is >= 1 and <= 10_080 && o.RefreshSeconds is >= 1 and <= 3_600,
                $"{BacklogOptions.Section}:AtRiskMinutes must be 1-10080 and :RefreshSeconds 1-3600.")
            .ValidateOnStart();
        services.TryAddSingleton<QueueDepths>();
        services.AddSingleton<BacklogGauges>();
        services.AddHostedService(sp => sp.GetRequiredService<BacklogGauges>());
        services.AddAlerts();
        services.AddReceiveObserver<UnreadableMessageObserver>();
        // The purge runs where requests are processed, so an Api-only instance never touches rows.
        services.AddStatusRetention();
        if (UsesRabbitMq(configuration))
        {
            services.AddSingleton<IRetryScheduler, RabbitMqWaitQueues>();
            services.AddHostedService<LegacyStatusQueue>();
        }
        else
            services.AddSingleton<IRetryScheduler, InMemoryRetryScheduler>();
        return services;
    }

    /// <summary>
    /// The lifecycle's parts without a consumer or a start-up check: channel delivery, callbacks, the contracts' adapters and
    /// reporters, the delivery rules, and the preview engine on them. The Processor adds these; an Api-only host adds them
    /// for previews (<see cref="AddPreview"/>), where nothing is ever sent.
    /// </summary>
    public static IServiceCollection AddProcessingEngine(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddChannelDelivery();
        services.AddCallbacks();
        // The platform contracts: each an adapter and an outcome reporter on the one engine (docs/architecture.md).
        services.AddContract<B2BAdapter, B2BCallbackReporter>();
        services.AddAjoContract();
        services.AddSfmcContract();
        services.AddSingleton<Rules.DeliveryGate>();
        // Store calls of an attempt (and the rules' reads) wait out a database outage (Processing/StoreOutage.cs).
        services.TryAddSingleton<StoreOutage>();
        services.AddSingleton<Preview.PreviewEngine>();
        return services;
    }

    /// <summary>The preview engine (src/Processor/Preview), with the engine's parts when this host does not process (an Api-only host).</summary>
    public static IServiceCollection AddPreview(this IServiceCollection services)
    {
        if (!services.Any(d => d.ServiceType == typeof(Preview.PreviewEngine)))
            services.AddProcessingEngine();
        return services;
    }

    public static IBusRegistrationConfigurator AddProcessorConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<ProcessActionConsumer, ProcessActionConsumerDefinition>();
        return bus;
    }

    /// <summary>The embedded default: with no broker configured the Api hosts the Processor itself. Returns whether it did.</summary>
    public static bool AddEmbeddedProcessorIfNoBroker(this IServiceCollection services, IConfiguration configuration)
    {
        // ExternalAction:Processor:Embedded=false keeps the Processor out (an Api-only host on the in-memory transport, for tests).
        if (UsesRabbitMq(configuration) || !configuration.GetValue($"{ProcessorOptions.Section}:Embedded", true))
            return false;
        services.AddProcessor(configuration);
        services.AddHostedService<EmbeddedModeWarning>();
        return true;
    }

    private static bool UsesRabbitMq(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration[$"{MessagingOptions.Section}:Url"]);

    private sealed class EmbeddedModeWarning(ILogger<EmbeddedModeWarning> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            logger.LogWarning("Embedded mode: no RabbitMQ URL ({Section}:Url) is configured, so the Processor runs in this process on the in-memory transport. Queued work and waiting retries are LOST if the process dies. Configure RabbitMQ for real use.", MessagingOptions.Section);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
