using ExternalAction.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.Extensions.Options;

namespace ExternalAction.Processor.StatusRecording;

/// <summary>Batches of up to 100 rows or 200 ms, on the status queue; failures retry, then go to <c>_error</c>.</summary>
public sealed class StatusRecorderConsumerDefinition : ConsumerDefinition<StatusRecorderConsumer>
{
    private readonly MessagingOptions _messaging;

    public StatusRecorderConsumerDefinition(IOptions<MessagingOptions> messaging)
    {
        _messaging = messaging.Value;
        EndpointName = QueueNames.Status;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<StatusRecorderConsumer> consumer, IRegistrationContext context)
    {
        endpoint.PrefetchCount = 200;
        if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit && _messaging.QuorumQueues)
            rabbit.SetQuorumQueue();
        endpoint.UseMessageRetry(r => r.Intervals(250, 1000, 5000, 15000));
        consumer.Options<BatchOptions>(batch => batch
            .SetMessageLimit(100)
            .SetTimeLimit(TimeSpan.FromMilliseconds(200))
            .SetConcurrencyLimit(2));
    }
}
