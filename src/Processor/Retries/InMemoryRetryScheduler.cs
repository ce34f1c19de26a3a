using ExternalAction.Contracts.Messaging;
using MassTransit;

namespace ExternalAction.Processor.Retries;

/// <summary>
/// Delayed retries on the in-memory transport (embedded default) through MassTransit's delayed scheduler. Like all
/// in-memory work, a waiting retry is lost if the process dies; the start-up log says so.
/// </summary>
public sealed class InMemoryRetryScheduler : IRetryScheduler
{
    public Task ScheduleAsync(ConsumeContext context, ActionAccepted message, TimeSpan delay) =>
        context.ScheduleSend(context.ReceiveContext.InputAddress, delay, message);
}
