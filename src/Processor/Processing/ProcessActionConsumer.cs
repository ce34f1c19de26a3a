using ExternalAction.Contracts.Messaging;
using MassTransit;

namespace ExternalAction.Processor.Processing;

/// <summary>Takes accepted requests off the processing queue. Exceptions escape: they retry, then reach <c>_error</c>.</summary>
public sealed class ProcessActionConsumer(ActionProcessor processor) : IConsumer<ActionAccepted>
{
    public Task Consume(ConsumeContext<ActionAccepted> context) => processor.ProcessAsync(context);
}
