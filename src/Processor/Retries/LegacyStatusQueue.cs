using ExternalAction.ServiceDefaults.Messaging;
using Microsoft.Extensions.Options;

namespace ExternalAction.Processor.Retries;

/// <summary>
/// Removes the status queue of earlier releases (<see cref="QueueNames.LegacyStatus"/>) and its error queue. Left bound
/// to the accepted-request exchange with nobody consuming it, it would take a copy of every request for ever. Nothing is
/// lost by deleting it: each message in it is a copy of one on the processing queue, whose claim writes the row.
/// Tried at start-up and, while the broker is unreachable, every <see cref="RetryEvery"/> up to <see cref="Attempts"/> times.
/// </summary>
public sealed class LegacyStatusQueue(IOptions<MessagingOptions> options, TimeProvider clock, ILogger<LegacyStatusQueue> logger) : BackgroundService
{
    public const int Attempts = 12;
    public static readonly TimeSpan RetryEvery = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        for (var attempt = 1; attempt <= Attempts; attempt++)
        {
            try
            {
                var removed = await DeleteAsync(options.Value, stoppingToken);
                if (removed > 0)
                    logger.LogInformation("Deleted the status queue of an earlier release ({Count} copies of processing-queue messages in it).", removed);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogDebug("The earlier release's status queue could not be checked yet ({Error}).", e.GetType().Name);
            }
            await Task.Delay(RetryEvery, clock, stoppingToken);
        }
    }

    /// <summary>Deletes both queues (RabbitMQ answers a delete of a missing queue with 0); returns the messages they held.</summary>
    public static async Task<uint> DeleteAsync(MessagingOptions messaging, CancellationToken ct)
    {
        await using var connection = await BrokerConnections.ConnectAsync(messaging, "externalaction-legacy-status", ct);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
        var removed = 0u;
        foreach (var queue in new[] { QueueNames.LegacyStatus, QueueNames.LegacyStatus + "_error" })
            removed += await channel.QueueDeleteAsync(queue, ifUnused: false, ifEmpty: false, cancellationToken: ct);
        return removed;
    }
}
