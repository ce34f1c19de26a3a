using ExternalAction.Contracts.Messaging;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace ExternalAction.ServiceDefaults.Messaging;

/// <summary>Configures MassTransit for either host: RabbitMQ when a URL is configured, otherwise the in-memory transport.</summary>
public static class MessagingExtensions
{
    public static IHostApplicationBuilder AddExternalActionBus(this IHostApplicationBuilder builder,
        Action<IBusRegistrationConfigurator>? addConsumers = null)
    {
        var options = builder.Configuration.GetSection(MessagingOptions.Section).Get<MessagingOptions>() ?? new MessagingOptions();
        builder.Services.AddOptions<MessagingOptions>().BindConfiguration(MessagingOptions.Section)
            .Validate(o => o.ConcurrentMessageLimit >= 1 && o.PrefetchCount >= 1,
                $"{MessagingOptions.Section}:ConcurrentMessageLimit and :PrefetchCount must be at least 1.")
            .Validate(o => !o.UsesRabbitMq || Uri.TryCreate(o.Url, UriKind.Absolute, out var u) && u.Scheme is "amqp" or "amqps",
                $"{MessagingOptions.Section}:Url must be an amqp:// or amqps:// URL.")
            .Validate(o => o.ClusterNodesValid(),
                $"{MessagingOptions.Section}:ClusterNodes must each be host:port (e.g. rabbit-1:5672).")
            .Validate(o => o.ClusterNodes.Count == 0 || o.UsesRabbitMq,
                $"{MessagingOptions.Section}:ClusterNodes needs {MessagingOptions.Section}:Url (its credentials and virtual host).")
            .ValidateOnStart();

        if (options.UsesRabbitMq)
        {
            builder.Services.TryAddSingleton(TimeProvider.System);
            builder.Services.AddSingleton<BrokerReachability>();
            builder.Services.AddHealthChecks().AddCheck<BrokerReachability>("rabbitmq", tags: ["ready", BrokerReachability.Tag]);
        }

        builder.Services.AddMassTransit(x =>
        {
            x.SetKebabCaseEndpointNameFormatter();
            // The bus decides readiness and the platform's /status; tagged so both can find it.
            x.ConfigureHealthCheckOptions(h =>
            {
                h.Name = "masstransit-bus";
                h.Tags.Add("ready");
                h.Tags.Add("masstransit");
            });
            addConsumers?.Invoke(x);

            if (options.UsesRabbitMq)
            {
                x.UsingRabbitMq((context, cfg) =>
                {
                    cfg.Host(new Uri(options.Url!), host =>
                    {
                        // Every node of the cluster, so the bus reconnects to another one when its node stops.
                        if (options.ClusterNodes.Count > 0)
                            host.UseCluster(cluster =>
                            {
                                foreach (var node in options.ClusterNodes)
                                    cluster.Node(node);
                            });
                    });
                    // Bind the processing queue to the ActionAccepted exchange from the publishing side too: a message
                    // published before any Processor has ever started must still land in a durable queue.
                    var messageExchange = cfg.MessageTopology.GetMessageTopology<ActionAccepted>().EntityName;
                    cfg.Publish<ActionAccepted>(p =>
                    {
                        p.BindQueue(messageExchange, QueueNames.Process, q => Quorum(q, options));
                    });
                    cfg.ConfigureEndpoints(context);
                });
            }
            else
            {
                x.AddDelayedMessageScheduler();
                x.UsingInMemory((context, cfg) =>
                {
                    cfg.UseDelayedMessageScheduler();
                    cfg.ConfigureEndpoints(context);
                });
            }
        });
        return builder;
    }

    private static void Quorum(IRabbitMqQueueBindingConfigurator queue, MessagingOptions options)
    {
        if (options.QuorumQueues)
            queue.SetQuorumQueue();
    }
}
