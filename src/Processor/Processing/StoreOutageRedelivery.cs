using ExternalAction.Contracts.Messaging;
using ExternalAction.Processor.Retries;
using MassTransit;

namespace ExternalAction.Processor.Processing;

/// <summary>
/// The processing consumer's answer to a status-store outage that outlasted <see cref="StoreOutage"/>'s wait: the
/// message goes back through the durable wait queues (<see cref="IRetryScheduler"/>) and is processed again later,
/// instead of being retried in a tight loop or faulted to <c>_error</c>; the request is not ended (the database could
/// not record that anyway). Its deadline still holds: an attempt that starts after it ends the request TimedOut.
/// </summary>
public sealed class StoreOutageRedelivery(IRetryScheduler retries, TimeProvider clock, TimeSpan delay, ILogger logger)
    : IFilter<ConsumeContext<ActionAccepted>>
{
    public async Task Send(ConsumeContext<ActionAccepted> context, IPipe<ConsumeContext<ActionAccepted>> next)
    {
        try
        {
            await next.Send(context);
        }
        catch (Exception e) when (StoreOutage.IsOutage(e) && !context.CancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Request {RequestId}: the status store is still unavailable ({Error}); the message comes back in {Seconds} s.",
                context.Message.RequestId, e.GetType().Name, delay.TotalSeconds);
            await retries.ScheduleAsync(context, context.Message with { NotBefore = clock.GetUtcNow() + delay }, delay);
        }
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("storeOutageRedelivery");
}
