using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace ExternalAction.ServiceDefaults.Messaging;

/// <summary>
/// Messages waiting in the service's queues, read with a passive declare (RabbitMQ only; the in-memory transport has no
/// count to read). The console's dashboard and the queue-depth metric read it.
/// </summary>
public sealed class QueueDepths(IOptions<MessagingOptions> messaging, ILogger<QueueDepths> logger)
{
    public static IReadOnlyList<string> Queues { get; } = [QueueNames.Process, QueueNames.ProcessErrors];

    public bool Available => messaging.Value.UsesRabbitMq;

    /// <summary>Each queue's ready messages (null: the queue does not exist yet); empty when the broker cannot be asked.</summary>
    public async Task<IReadOnlyList<(string Queue, uint? Messages)>> ReadAsync(CancellationToken ct)
    {
        if (!Available)
            return [];
        try
        {
            await using var connection = await BrokerConnections.ConnectAsync(messaging.Value, "externalaction-queue-depth", ct);
            var depths = new List<(string, uint?)>();
            foreach (var queue in Queues)
            {
                // A passive declare of a missing queue closes its channel: one channel per queue.
                await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
                try
                {
                    depths.Add((queue, (await channel.QueueDeclarePassiveAsync(queue, ct)).MessageCount));
                }
                catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
                {
                    depths.Add((queue, null));
                }
            }
            return depths;
        }
        catch (BrokerUnreachableException e)
        {
            logger.LogWarning("Queue depths unavailable: {Error}", e.GetType().Name);
            return [];
        }
    }
}
