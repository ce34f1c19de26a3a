namespace ExternalAction.ServiceDefaults.Messaging;

/// <summary>
/// The bus (<c>ExternalAction:RabbitMq</c>). With no <see cref="Url"/> the service runs on MassTransit's in-memory
/// transport: fine for a first run, but queued work is lost if the process dies.
/// </summary>
public sealed class MessagingOptions
{
    public const string Section = "ExternalAction:RabbitMq";

    /// <summary><c>amqp://user:password@host:5672/vhost</c>. Empty = in-memory transport (embedded default).</summary>
    public string? Url { get; set; }

    /// <summary>Messages the processing consumer handles at once per instance (deliveries and callbacks are I/O bound).</summary>
    public int ConcurrentMessageLimit { get; set; } = 32;

    /// <summary>Messages RabbitMQ hands to one instance ahead of processing.</summary>
    public int PrefetchCount { get; set; } = 64;

    /// <summary>Declare quorum queues (use on a RabbitMQ cluster of three or more nodes).</summary>
    public bool QuorumQueues { get; set; }

    public bool UsesRabbitMq => !string.IsNullOrWhiteSpace(Url);
}
