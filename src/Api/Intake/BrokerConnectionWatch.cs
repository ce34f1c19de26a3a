using ExternalAction.ServiceDefaults.Messaging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace ExternalAction.Api.Intake;

/// <summary>
/// Feeds <see cref="IntakeBreaker"/> with the broker's connection state. MassTransit 8.5 gives a publish-only bus no
/// signal of its own (its bus health stays Healthy and no endpoint observer fires while the broker is down, measured in
/// docs/architecture.md), so this holds one small AMQP connection of its own to the same broker, with RabbitMQ.Client's
/// automatic recovery: the connection closing (the broker stopping, a lost socket, missed heartbeats) isolates the
/// circuit at once, its recovery (tried every <see cref="RecoveryInterval"/>) closes it. A broker resource alarm that
/// blocks publishers counts as down too. Nothing is declared or published on this connection.
/// </summary>
public sealed class BrokerConnectionWatch(IOptions<MessagingOptions> messaging, IntakeBreaker breaker, TimeProvider clock,
    ILogger<BrokerConnectionWatch> logger) : BackgroundService
{
    /// <summary>How often a lost connection is tried again: the most the intake lags behind the broker's return.</summary>
    public static readonly TimeSpan RecoveryInterval = TimeSpan.FromMilliseconds(250);

    private IConnection? _connection;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!messaging.Value.UsesRabbitMq)
            return;
        var factory = new ConnectionFactory
        {
            Uri = new Uri(messaging.Value.Url!),
            ClientProvidedName = "externalaction-intake-watch",
            AutomaticRecoveryEnabled = true,
            TopologyRecoveryEnabled = false,
            NetworkRecoveryInterval = RecoveryInterval,
            RequestedHeartbeat = TimeSpan.FromSeconds(5),
            RequestedConnectionTimeout = TimeSpan.FromSeconds(2),
        };
        // The first connection is not covered by the client's recovery: Polly retries it at the same pace.
        var connect = new ResiliencePipelineBuilder { TimeProvider = clock }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(e => e is not OperationCanceledException),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Constant,
                Delay = RecoveryInterval,
                UseJitter = false,
                OnRetry = async args =>
                {
                    if (args.AttemptNumber == 0)
                        await breaker.BrokerDownAsync($"no connection: {args.Outcome.Exception?.GetType().Name}");
                },
            })
            .Build();
        try
        {
            _connection = await connect.ExecuteAsync(async ct => await BrokerConnections.ConnectAsync(factory, messaging.Value, ct), stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }
        _connection.ConnectionShutdownAsync += Lost;
        _connection.RecoverySucceededAsync += Recovered;
        _connection.ConnectionBlockedAsync += Blocked;
        _connection.ConnectionUnblockedAsync += Recovered;
        await breaker.BrokerUpAsync();
    }

    /// <summary>
    /// With cluster nodes the lost connection normally recovers on another node within a recovery interval or two, and
    /// the bus's own connection with it: the breaker opens only if this watch has not recovered after this long.
    /// </summary>
    public static readonly TimeSpan ClusterFailoverGrace = TimeSpan.FromSeconds(2);

    private int _generation;

    private Task Lost(object sender, ShutdownEventArgs args)
    {
        // Our own close (the host stopping) is not an outage.
        if (args.Initiator == ShutdownInitiator.Application)
            return Task.CompletedTask;
        var reason = $"connection closed, AMQP {args.ReplyCode}";
        if (messaging.Value.ClusterNodes.Count < 2)
            return breaker.BrokerDownAsync(reason);
        _ = DownUnlessRecoveredAsync(Interlocked.Increment(ref _generation), reason);
        return Task.CompletedTask;
    }

    private async Task DownUnlessRecoveredAsync(int generation, string reason)
    {
        await Task.Delay(ClusterFailoverGrace, clock);
        if (Volatile.Read(ref _generation) == generation)
            await breaker.BrokerDownAsync($"{reason}; no other cluster node reached within {ClusterFailoverGrace.TotalSeconds:0} s");
    }

    private Task Recovered(object sender, AsyncEventArgs args)
    {
        Interlocked.Increment(ref _generation);
        return breaker.BrokerUpAsync();
    }

    private Task Blocked(object sender, ConnectionBlockedEventArgs args) => breaker.BrokerDownAsync("the broker blocks publishers (resource alarm)");

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (_connection is { } connection)
        {
            try
            {
                await connection.CloseAsync(cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogDebug("Closing the intake's broker watch: {Error}", e.GetType().Name);
            }
            await connection.DisposeAsync();
        }
    }
}
