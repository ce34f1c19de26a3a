using System.Text;
using System.Text.Json.Nodes;
using ExternalAction.Contracts.Messaging;
using ExternalAction.ServiceDefaults.Messaging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace ExternalAction.Api.Support.Replay;

/// <summary>
/// The processing queue's dead letters (<c>externalaction-process_error</c>, where MassTransit moves the message of a
/// request that ended Failed or TimedOut). <see cref="TakeAsync"/> reads the queue from its head without acknowledging,
/// keeps the copies of the requests asked for and puts every other message back in its place (unacknowledged messages
/// return to their position when released), so a search never loses or reorders a dead letter. Only RabbitMQ has such
/// a queue: the in-memory transport of the embedded default keeps none a replay could read.
/// </summary>
public sealed class DeadLetters(IOptions<MessagingOptions> messaging, IOptions<SupportOptions> support, ILogger<DeadLetters> logger) : IAsyncDisposable
{
    public const string Queue = QueueNames.ProcessErrors;

    private readonly SemaphoreSlim _connect = new(1, 1);
    private IConnection? _connection;

    public bool Available => messaging.Value.UsesRabbitMq;

    /// <summary>Holds the dead-lettered copies of <paramref name="requestIds"/> found in the first <c>Replay:MaxScan</c> messages.</summary>
    public async Task<HeldDeadLetters> TakeAsync(IReadOnlySet<string> requestIds, CancellationToken ct)
    {
        var connection = await ConnectAsync(ct);
        var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), ct);
        var held = new HeldDeadLetters(channel, logger);
        try
        {
            var scanned = 0;
            while (scanned < support.Value.Replay.MaxScan && held.Found.Count < requestIds.Count)
            {
                var got = await channel.BasicGetAsync(Queue, autoAck: false, ct);
                if (got is null)
                    break;
                scanned++;
                if (RequestIdOf(got) is { } id && requestIds.Contains(id) && !held.Found.ContainsKey(id))
                    held.Found[id] = got;
                else
                    held.Others.Add(got.DeliveryTag);
            }
            return held;
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            // No request has ever failed on this broker: the queue does not exist yet.
            await held.DisposeAsync();
            return HeldDeadLetters.None;
        }
        catch
        {
            await held.DisposeAsync();
            throw;
        }
    }

    /// <summary>The request id of a dead letter: the Api's transport header, else the envelope's message (a retry's copy may lack the header).</summary>
    internal static string? RequestIdOf(BasicGetResult message)
    {
        if (message.BasicProperties.Headers?.TryGetValue(AcceptedHeaders.RequestId, out var header) == true && header is byte[] bytes)
            return Encoding.UTF8.GetString(bytes);
        try
        {
            return Property(Message(JsonNode.Parse(message.Body.Span)), "requestId")?.GetValue<string>();
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    internal static JsonObject? Message(JsonNode? envelope) => envelope is JsonObject o ? Property(o, "message") as JsonObject : null;

    /// <summary>A property by name whatever its case (the bus writes camelCase; a hand-moved message may not).</summary>
    internal static JsonNode? Property(JsonObject? node, string name) =>
        node?.FirstOrDefault(p => string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    private async Task<IConnection> ConnectAsync(CancellationToken ct)
    {
        if (_connection is { IsOpen: true } open)
            return open;
        await _connect.WaitAsync(ct);
        try
        {
            if (_connection is { IsOpen: true } again)
                return again;
            if (_connection is not null)
                await _connection.DisposeAsync();
            _connection = await BrokerConnections.ConnectAsync(messaging.Value, "externalaction-support-replay", ct);
            return _connection;
        }
        finally
        {
            _connect.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
            await _connection.DisposeAsync();
        _connect.Dispose();
    }
}

/// <summary>
/// Dead letters held by one channel: <see cref="Found"/> (the copies asked for) and the others read past. Disposing puts
/// back every one not yet acknowledged, in its original place.
/// </summary>
public sealed class HeldDeadLetters : IAsyncDisposable
{
    public static readonly HeldDeadLetters None = new(null, null);

    private readonly IChannel? _channel;
    private readonly ILogger? _logger;

    internal HeldDeadLetters(IChannel? channel, ILogger? logger)
    {
        _channel = channel;
        _logger = logger;
    }

    internal Dictionary<string, BasicGetResult> Found { get; } = new(StringComparer.Ordinal);
    internal List<ulong> Others { get; } = [];

    public bool Has(string requestId) => Found.ContainsKey(requestId);

    /// <summary>
    /// Puts the held copy of <paramref name="requestId"/> back on the processing queue with <paramref name="deadline"/> and
    /// no fault headers (publisher confirm awaited), then removes it from the dead letters.
    /// </summary>
    public async Task RequeueAsync(string requestId, DateTimeOffset deadline, CancellationToken ct)
    {
        var message = Found[requestId];
        var (properties, body) = Replayed(message, deadline);
        await _channel!.BasicPublishAsync(QueueNames.Process, "", mandatory: true, properties, body, ct);
        await _channel.BasicAckAsync(message.DeliveryTag, multiple: false, ct);
        Found.Remove(requestId);
    }

    /// <summary>The copy to requeue: the deadline replaced (body and header), no wait time left, MassTransit's fault headers dropped.</summary>
    internal static (BasicProperties Properties, ReadOnlyMemory<byte> Body) Replayed(BasicGetResult message, DateTimeOffset deadline)
    {
        var envelope = JsonNode.Parse(message.Body.Span) as JsonObject ?? throw new InvalidOperationException("The dead letter is not a JSON envelope.");
        var body = DeadLetters.Message(envelope) ?? throw new InvalidOperationException("The dead letter's envelope has no message.");
        foreach (var key in body.Where(p => p.Key.Equals("deadline", StringComparison.OrdinalIgnoreCase) || p.Key.Equals("notBefore", StringComparison.OrdinalIgnoreCase))
                     .Select(p => p.Key).ToList())
            body.Remove(key);
        body["deadline"] = deadline.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        var deadlineMs = deadline.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (DeadLetters.Property(envelope, "headers") is JsonObject envelopeHeaders)
        {
            foreach (var key in envelopeHeaders.Select(p => p.Key).Where(Dropped).ToList())
                envelopeHeaders.Remove(key);
            if (envelopeHeaders.ContainsKey(AcceptedHeaders.Deadline))
                envelopeHeaders[AcceptedHeaders.Deadline] = deadlineMs;
        }
        var properties = new BasicProperties(message.BasicProperties) { Persistent = true };
        var headers = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in message.BasicProperties.Headers ?? new Dictionary<string, object?>())
            if (!Dropped(key))
                headers[key] = value;
        if (headers.ContainsKey(AcceptedHeaders.Deadline))
            headers[AcceptedHeaders.Deadline] = Encoding.UTF8.GetBytes(deadlineMs);
        properties.Headers = headers;
        return (properties, Encoding.UTF8.GetBytes(envelope.ToJsonString()));
    }

    private static bool Dropped(string header) =>
        header.StartsWith("MT-Fault-", StringComparison.OrdinalIgnoreCase) || header.StartsWith("MT-Reason", StringComparison.OrdinalIgnoreCase)
        || header.StartsWith("MT-Host-", StringComparison.OrdinalIgnoreCase) || header.StartsWith("MT-Redelivery", StringComparison.OrdinalIgnoreCase);

    private bool _disposed;

    public async ValueTask DisposeAsync()
    {
        if (_channel is null || _disposed)
            return;
        _disposed = true;
        try
        {
            if (_channel.IsOpen)
            {
                // Back in their places, oldest first; closing the channel would return them too, this is explicit.
                foreach (var tag in Others.Concat(Found.Values.Select(f => f.DeliveryTag)).Order())
                    await _channel.BasicNackAsync(tag, multiple: false, requeue: true);
                await _channel.CloseAsync();
            }
        }
        catch (Exception e) when (e is AlreadyClosedException or OperationInterruptedException)
        {
            _logger?.LogWarning("Releasing dead letters failed ({Error}); the broker returns them when the channel closes.", e.GetType().Name);
        }
        finally
        {
            await _channel.DisposeAsync();
        }
    }
}
