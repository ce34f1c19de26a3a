using ExternalAction.Contracts.Messaging;
using MassTransit;

namespace ExternalAction.Processor.Processing;

/// <summary>
/// Takes accepted requests off the processing queue. Exceptions escape: they retry, then reach <c>_error</c>. A request
/// that ended without word to the platform is sent to <c>_error</c> too, with its reason in the fault headers.
/// </summary>
public sealed class ProcessActionConsumer(ActionProcessor processor) : IConsumer<ActionAccepted>
{
    public async Task Consume(ConsumeContext<ActionAccepted> context)
    {
        var result = await processor.ProcessAsync(context);
        if (result.Kind == ProcessingKind.Ended)
            throw new RequestFailedException(context.Message.RequestId, result.Status!, result.Reason!);
    }
}
