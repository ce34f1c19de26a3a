using ExternalAction.Contracts.Messaging;
using MassTransit;

namespace ExternalAction.Processor.Retries;

/// <summary>
/// Puts a message back on the processing queue after a delay, durably and without holding a consumer slot while it
/// waits. Two implementations because the transports differ: RabbitMQ wait queues (no delayed-exchange plugin on the
/// Debian broker) and MassTransit's delayed scheduler on the in-memory transport.
/// </summary>
public interface IRetryScheduler
{
    Task ScheduleAsync(ConsumeContext context, ActionAccepted message, TimeSpan delay);
}
