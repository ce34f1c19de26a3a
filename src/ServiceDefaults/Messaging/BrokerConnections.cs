using RabbitMQ.Client;

namespace ExternalAction.ServiceDefaults.Messaging;

/// <summary>
/// Direct RabbitMQ.Client connections (topology, queue depths, dead-letter replay) to the configured broker: with
/// <see cref="MessagingOptions.ClusterNodes"/>, to the first node that answers, like MassTransit's own connection.
/// </summary>
public static class BrokerConnections
{
    public static Task<IConnection> ConnectAsync(MessagingOptions options, string clientName, CancellationToken ct) =>
        ConnectAsync(new ConnectionFactory { Uri = new Uri(options.Url!), ClientProvidedName = clientName }, options, ct);

    /// <summary>Connects <paramref name="factory"/> (its URI from <see cref="MessagingOptions.Url"/>) to the cluster's nodes, or to its URI's host.</summary>
    public static Task<IConnection> ConnectAsync(ConnectionFactory factory, MessagingOptions options, CancellationToken ct)
    {
        var nodes = Endpoints(options);
        return nodes.Count == 0
            ? factory.CreateConnectionAsync(ct)
            : factory.CreateConnectionAsync(nodes, ct);
    }

    /// <summary>The cluster's nodes as endpoints (with the URL's TLS settings); empty without cluster nodes.</summary>
    public static IList<AmqpTcpEndpoint> Endpoints(MessagingOptions options)
    {
        if (options.ClusterNodes.Count == 0)
            return [];
        var url = new Uri(options.Url!);
        var tls = url.Scheme == "amqps";
        return options.ClusterNodes.Select(node =>
        {
            var (host, port) = MessagingOptions.ParseNode(node);
            var endpoint = new AmqpTcpEndpoint(host, port ?? (tls ? AmqpTcpEndpoint.DefaultAmqpSslPort : AmqpTcpEndpoint.UseDefaultPort));
            if (tls)
            {
                endpoint.Ssl.Enabled = true;
                endpoint.Ssl.ServerName = host;
            }
            return endpoint;
        }).ToList();
    }
}
