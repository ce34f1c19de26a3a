using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace ExternalAction.TestSupport;

/// <summary>What a queue holds, read with a passive declare on a channel of its own (a missing queue closes it).</summary>
public static class RabbitQueues
{
    /// <summary>Ready messages in <paramref name="queue"/>; null when it does not exist.</summary>
    public static async Task<uint?> MessagesInAsync(IConnection connection, string queue)
    {
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            return null;
        }
    }
}
