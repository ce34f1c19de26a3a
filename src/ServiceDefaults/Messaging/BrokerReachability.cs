using System.Net.Sockets;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace ExternalAction.ServiceDefaults.Messaging;

/// <summary>
/// Whether the RabbitMQ broker answers on its port right now. MassTransit's own check only looks at receive
/// endpoints, which a publish-only Api does not have, so /status and readiness use this too. Cached for a second so
/// a busy /status does not open a socket per call.
/// </summary>
public sealed class BrokerReachability(IOptions<MessagingOptions> options, TimeProvider clock) : IHealthCheck
{
    public const string Tag = "broker";
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(1);
    private (DateTimeOffset At, HealthCheckResult Result)? _last;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (_last is { } last && clock.GetUtcNow() - last.At < CacheFor)
            return last.Result;
        var uri = new Uri(options.Value.Url!);
        var port = uri.Port > 0 ? uri.Port : uri.Scheme == "amqps" ? 5671 : 5672;
        HealthCheckResult result;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(1));
            using var socket = new TcpClient();
            await socket.ConnectAsync(uri.Host, port, timeout.Token);
            result = HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            result = HealthCheckResult.Unhealthy($"RabbitMQ at {uri.Host}:{port} is unreachable");
        }
        _last = (clock.GetUtcNow(), result);
        return result;
    }
}
