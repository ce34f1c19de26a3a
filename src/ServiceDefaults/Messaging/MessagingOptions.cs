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

    /// <summary>
    /// Declare quorum queues (use on a RabbitMQ cluster of three or more nodes): the processing, status and retry wait
    /// queues are replicated, so losing one node loses nothing. RabbitMQ cannot change an existing queue's type: switch
    /// it on a new deployment (or a new virtual host), not under a running one.
    /// </summary>
    public bool QuorumQueues { get; set; }

    /// <summary>
    /// The cluster's nodes as <c>host:port</c> (e.g. <c>rabbit-1:5672</c>), tried in order when connecting and
    /// reconnecting, so the service follows the cluster when the node it was connected to stops. The credentials and the
    /// virtual host come from <see cref="Url"/>. Empty: only <see cref="Url"/>'s host.
    /// </summary>
    public List<string> ClusterNodes { get; set; } = [];

    public bool UsesRabbitMq => !string.IsNullOrWhiteSpace(Url);

    /// <summary>A cluster node's host and optional port; throws <see cref="FormatException"/> for anything else.</summary>
    public static (string Host, int? Port) ParseNode(string node)
    {
        var colon = node.LastIndexOf(':');
        var host = colon < 0 ? node : node[..colon];
        int? port = null;
        if (colon >= 0)
        {
            if (!int.TryParse(node.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var p) || p is < 1 or > 65535)
                throw new FormatException($"'{node}' has no port between 1 and 65535 after the colon.");
            port = p;
        }
        if (Uri.CheckHostName(host) is UriHostNameType.Unknown or UriHostNameType.Basic)
            throw new FormatException($"'{node}' is not host:port (a host name or IPv4 address, then an optional port).");
        return (host, port);
    }

    /// <summary>Whether every cluster node parses (start-up check).</summary>
    public bool ClusterNodesValid()
    {
        foreach (var node in ClusterNodes)
        {
            try { ParseNode(node); }
            catch (FormatException) { return false; }
        }
        return true;
    }
}
