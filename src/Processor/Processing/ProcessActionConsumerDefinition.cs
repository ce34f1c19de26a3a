using ExternalAction.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.Extensions.Options;

namespace ExternalAction.Processor.Processing;

/// <summary>
/// Concurrency, prefetch and retry of the processing consumer. Only infrastructure failures (database, broker) are
/// retried here, briefly; delivery and callback retries are durable reschedules done by <see cref="ActionProcessor"/>.
/// Requests that ended (deadline, refused callback) go straight to <c>_error</c>. A status-store outage longer than an
/// attempt's wait is neither: <see cref="StoreOutageRedelivery"/> puts the message back for later.
/// </summary>
public sealed class ProcessActionConsumerDefinition : ConsumerDefinition<ProcessActionConsumer>
{
    private readonly MessagingOptions _messaging;

    public ProcessActionConsumerDefinition(IOptions<MessagingOptions> messaging)
    {
        _messaging = messaging.Value;
        EndpointName = QueueNames.Process;
        ConcurrentMessageLimit = _messaging.ConcurrentMessageLimit;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<ProcessActionConsumer> consumer, IRegistrationContext context)
    {
        endpoint.PrefetchCount = _messaging.PrefetchCount;
        if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit && _messaging.QuorumQueues)
            rabbit.SetQuorumQueue();
        endpoint.UseMessageRetry(r =>
        {
            r.Intervals(200, 1000, 5000);
            r.Ignore<RequestFailedException>();
            r.Ignore<UnknownActionException>();
        });
        var options = context.GetRequiredService<IOptions<ProcessorOptions>>().Value;
        consumer.Message<Contracts.Messaging.ActionAccepted>(m => m.UseFilter(new StoreOutageRedelivery(
            context.GetRequiredService<Retries.IRetryScheduler>(), context.GetRequiredService<TimeProvider>(),
            TimeSpan.FromSeconds(options.StoreOutageRedeliverySeconds), context.GetRequiredService<ILogger<StoreOutageRedelivery>>())));
    }
}
