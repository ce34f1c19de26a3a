using ExternalAction.Contracts.Messaging;
using ExternalAction.Processor.Engine;
using ExternalAction.Processor.Processing;
using ExternalAction.Store;
using MassTransit;

namespace ExternalAction.Processor.StatusRecording;

/// <summary>
/// Records a "Received" row for every accepted request within about a second, even while the processing queue has a
/// backlog: it reads its own queue in batches and bulk-inserts. Rows the processing consumer already created are skipped.
/// </summary>
public sealed class StatusRecorderConsumer(StatusStore store, StoreOutage outage, ContractRegistry contracts) : IConsumer<Batch<ActionAccepted>>
{
    public Task Consume(ConsumeContext<Batch<ActionAccepted>> context)
    {
        var rows = context.Message
            .Select(m => contracts.Adapter(m.Message).Row(m.Message))
            .DistinctBy(r => r.RequestId)
            .ToList();
        // A database outage is waited out (StoreOutage); one longer than that is retried by the definition's policy.
        return outage.RunAsync(ct => store.InsertReceivedAsync(rows, ct), context.CancellationToken);
    }
}
