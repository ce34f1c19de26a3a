using ExternalAction.Contracts.Messaging;
using ExternalAction.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;

namespace ExternalAction.Processor.Retries;

/// <summary>
/// Delayed retries on plain RabbitMQ: one durable wait queue per delay tier with a per-queue <c>x-message-ttl</c>
/// and dead-lettering to the processing queue's exchange. A message sent to a tier's exchange sits in its wait queue
/// for the TTL, then RabbitMQ moves it back to the work queue. Delays beyond a tier are covered by the message's
/// <c>NotBefore</c>: a copy that comes back early is sent round again.
/// </summary>
public sealed class RabbitMqWaitQueues(IOptions<MessagingOptions> options, ILogger<RabbitMqWaitQueues> logger) : IRetryScheduler
{
    private readonly SemaphoreSlim _declare = new(1, 1);
    private volatile bool _declared;

    public async Task ScheduleAsync(ConsumeContext context, ActionAccepted message, TimeSpan delay)
    {
        await EnsureTopologyAsync(context.CancellationToken);
        var tier = Tier(delay);
        var endpoint = await context.GetSendEndpoint(new Uri($"exchange:{QueueNames.Wait(tier)}?type=fanout&durable=true"));
        await endpoint.Send(message, send => send.Durable = true, context.CancellationToken);
    }

    /// <summary>The smallest tier that covers the delay, else the largest (the message then goes round again).</summary>
    public static TimeSpan Tier(TimeSpan delay)
    {
        foreach (var tier in QueueNames.WaitTiers)
            if (tier >= delay)
                return tier;
        return QueueNames.WaitTiers[^1];
    }

    /// <summary>Declares the wait exchanges and queues (idempotent; the same arguments every time).</summary>
    public async Task EnsureTopologyAsync(CancellationToken ct)
    {
        if (_declared)
            return;
        await _declare.WaitAsync(ct);
        try
        {
            if (_declared)
                return;
            await using var connection = await BrokerConnections.ConnectAsync(options.Value, "externalaction-topology", ct);
            await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
            // The dead-letter target must exist or RabbitMQ drops expired messages silently; MassTransit declares it the same way.
            await channel.ExchangeDeclareAsync(QueueNames.Process, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: ct);
            foreach (var tier in QueueNames.WaitTiers)
            {
                var name = QueueNames.Wait(tier);
                await channel.ExchangeDeclareAsync(name, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: ct);
                var arguments = new Dictionary<string, object?>
                {
                    ["x-message-ttl"] = (int)tier.TotalMilliseconds,
                    ["x-dead-letter-exchange"] = QueueNames.Process,
                };
                // Replicated like the processing queue (quorum queues honour message TTL and dead-lettering from RabbitMQ
                // 3.10). At-least-once dead-lettering (which needs reject-publish overflow) keeps an expired retry until
                // the processing queue has confirmed it, so a node stopping at that moment loses nothing; a copy that
                // arrives twice is a duplicate the status row absorbs.
                if (options.Value.QuorumQueues)
                {
                    arguments["x-queue-type"] = "quorum";
                    arguments["x-dead-letter-strategy"] = "at-least-once";
                    arguments["x-overflow"] = "reject-publish";
                }
                await channel.QueueDeclareAsync(name, durable: true, exclusive: false, autoDelete: false, arguments: arguments, cancellationToken: ct);
                await channel.QueueBindAsync(name, name, "", cancellationToken: ct);
            }
            _declared = true;
            logger.LogInformation("Retry wait queues declared ({Count} tiers).", QueueNames.WaitTiers.Count);
        }
        finally
        {
            _declare.Release();
        }
    }
}
