using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using RabbitMQ.Client;

namespace ExternalAction.Bench.Baseline;

/// <summary>
/// The yardsticks our intake is measured against in the same run, hosted in this process on loopback:
/// <c>POST /floor</c> reads the body and answers 200 (what Kestrel and the load generator cost alone), and
/// <c>POST /naive</c> publishes each body to RabbitMQ and awaits that one message's publisher confirm before answering
/// 200 — no auth, no validation, no batching: the simplest endpoint that keeps the "200 only for queued work" promise.
/// </summary>
internal sealed class ReferenceEndpoints : IAsyncDisposable
{
    public const string Queue = "bench-naive";

    /// <summary>
    /// The exchanges of <c>/naive-shaped</c>, bound as MassTransit binds the Api's: the message type's exchange to the
    /// queue's exchange to the queue (two exchange hops; both fanout, durable).
    /// </summary>
    private const string TypeExchange = "bench-naive-type", QueueExchange = "bench-naive-queue";

    /// <summary>The size of a <c>/naive-shaped</c> message: our intake's messages average 3.2 KB (docs/benchmarks.md).</summary>
    public const int ShapedBytes = 3300;
    private readonly WebApplication _app;
    private readonly IConnection _connection;
    // Channels are not shared between concurrent publishes: each request borrows one and returns it.
    private readonly ConcurrentBag<IChannel> _channels = [];

    private ReferenceEndpoints(WebApplication app, IConnection connection)
    {
        _app = app;
        _connection = connection;
    }

    /// <summary>Base URL, e.g. http://127.0.0.1:5100 (the real port when 0 was asked for).</summary>
    public string Url { get; private set; } = "";

    /// <param name="port">0 picks a free port.</param>
    public static async Task<ReferenceEndpoints> StartAsync(string rabbitUrl, int port)
    {
        var connection = await new ConnectionFactory { Uri = new Uri(rabbitUrl), ClientProvidedName = "bench-naive" }.CreateConnectionAsync();
        await using (var setup = await connection.CreateChannelAsync())
        {
            await setup.QueueDeclareAsync(Queue, durable: true, exclusive: false, autoDelete: false, arguments: QueueArguments());
            await setup.QueuePurgeAsync(Queue);
            await setup.ExchangeDeclareAsync(TypeExchange, ExchangeType.Fanout, durable: true);
            await setup.ExchangeDeclareAsync(QueueExchange, ExchangeType.Fanout, durable: true);
            await setup.ExchangeBindAsync(QueueExchange, TypeExchange, "");
            await setup.QueueBindAsync(Queue, QueueExchange, "");
        }
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var endpoints = new ReferenceEndpoints(app, connection);
        app.MapPost("/floor", async (HttpRequest request) =>
        {
            await request.Body.CopyToAsync(Stream.Null);
            return Results.Ok();
        });
        app.MapPost("/naive", endpoints.PublishAsync);
        app.MapPost("/naive-shared", endpoints.PublishSharedAsync);
        app.MapPost("/naive-shaped", (HttpRequest request) => endpoints.PublishShapedAsync(request, TypeExchange));
        app.MapPost("/naive-sized", (HttpRequest request) => endpoints.PublishShapedAsync(request, ""));
        // For bench/lib.sh when it runs as a process of its own (the naive-endpoint command).
        app.MapGet("/health/ready", () => Results.Ok());
        await app.StartAsync();
        endpoints.Url = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return endpoints;
    }

    /// <summary>
    /// The naive queue's type: classic unless <c>NAIVE_QUEUE_TYPE</c> says <c>quorum</c>, so the baseline can run on the
    /// queue type the Api is measured with (<c>ExternalAction:RabbitMq:QuorumQueues</c>; bench/compare.sh variants).
    /// </summary>
    private static Dictionary<string, object?>? QueueArguments() =>
        Environment.GetEnvironmentVariable("NAIVE_QUEUE_TYPE") switch
        {
            null or "" or "classic" => null,
            "quorum" => new Dictionary<string, object?> { ["x-queue-type"] = "quorum" },
            var other => throw new InvalidOperationException($"NAIVE_QUEUE_TYPE must be classic or quorum, not '{other}'."),
        };

    private static readonly CreateChannelOptions Confirmed = new(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true,
        outstandingPublisherConfirmationsRateLimiter: null);

    /// <summary><c>POST /naive</c>: each concurrent request borrows a channel of its own from the pool and returns it.</summary>
    private async Task<IResult> PublishAsync(HttpRequest request)
    {
        if (!_channels.TryTake(out var channel))
            channel = await _connection.CreateChannelAsync(Confirmed);
        var (answer, published) = await PublishOnAsync(channel, request);
        if (published)
            _channels.Add(channel);
        else
            await channel.DisposeAsync();
        return answer;
    }

    private readonly SemaphoreSlim _sharedOpen = new(1, 1);
    private IChannel? _shared;

    /// <summary>
    /// <c>POST /naive-shared</c>: the same publish and confirm, but every request on one channel with confirmation
    /// tracking, as MassTransit publishes (one channel per exchange, publishes pipelined on it). Beside <c>/naive</c> (a
    /// channel per concurrent request) it shows what sharing one channel costs at the tail.
    /// </summary>
    private async Task<IResult> PublishSharedAsync(HttpRequest request) => (await PublishOnAsync(await SharedChannelAsync(), request)).Answer;

    /// <summary>
    /// <c>POST /naive-shaped</c>: the shared channel's publish with a message shaped like our intake's: the body wrapped
    /// to <see cref="ShapedBytes"/> with an envelope-sized padding, a dozen headers like MassTransit's and ours, published
    /// to a message-type exchange two hops from the queue. Beside <c>/naive-shared</c> it shows what the broker's work for
    /// our message's size, headers and routing costs at the tail, with none of MassTransit's client-side work.
    /// </summary>
    /// <remarks><c>POST /naive-sized</c> is the same message published straight to the queue (the default exchange, no
    /// hop): beside <c>/naive-shaped</c> it separates the routing from the size and headers.</remarks>
    private async Task<IResult> PublishShapedAsync(HttpRequest request, string exchange) =>
        (await PublishOnAsync(await SharedChannelAsync(), request, exchange, ShapedMessage)).Answer;

    /// <summary>A message like our intake's: the body in an envelope of <see cref="ShapedBytes"/>, with a dozen headers like MassTransit's and ours.</summary>
    private static (BasicProperties Properties, byte[] Body) ShapedMessage(byte[] request)
    {
        var id = Guid.NewGuid().ToString();
        var now = DateTimeOffset.UtcNow;
        var properties = new BasicProperties
        {
            Persistent = true,
            MessageId = id,
            ContentType = "application/vnd.masstransit+json",
            Headers = new Dictionary<string, object?>
            {
                ["Content-Type"] = "application/vnd.masstransit+json",
                ["MT-Host-MachineName"] = Environment.MachineName,
                ["MT-Host-ProcessName"] = "ExternalAction.Api",
                ["MT-Host-ProcessId"] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["MT-Host-Assembly"] = "ExternalAction.Api",
                ["MT-Host-MassTransitVersion"] = "8.5.12.0",
                ["ea-request-id"] = id,
                ["ea-action"] = "lead-scoring",
                ["ea-action-version"] = "1",
                ["ea-contract"] = "ajo-b2b",
                ["ea-entity-type"] = "lead",
                ["ea-received-at"] = now.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["ea-deadline"] = now.AddHours(1).ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
        };
        return (properties, Shaped(request));
    }

    /// <summary>The request inside a JSON envelope padded to <see cref="ShapedBytes"/> (no padding when the request is larger).</summary>
    internal static byte[] Shaped(byte[] request)
    {
        var head = "{\"message\":"u8.ToArray();
        var middle = ",\"envelope\":\""u8.ToArray();
        var tail = "\"}"u8.ToArray();
        var padding = Math.Max(0, ShapedBytes - request.Length - head.Length - middle.Length - tail.Length);
        return [.. head, .. request, .. middle, .. Enumerable.Repeat((byte)'x', padding), .. tail];
    }

    private async Task<IChannel> SharedChannelAsync()
    {
        var channel = _shared;
        if (channel is null || channel.IsClosed)
        {
            await _sharedOpen.WaitAsync();
            try
            {
                if (_shared is null || _shared.IsClosed)
                    _shared = await _connection.CreateChannelAsync(Confirmed);
                channel = _shared;
            }
            finally
            {
                _sharedOpen.Release();
            }
        }
        return channel;
    }

    /// <summary>The request's body (or the message <paramref name="shape"/> makes of it), published persistent to the naive
    /// queue (through <paramref name="exchange"/> when one is given) on <paramref name="channel"/>: 200 once the broker
    /// confirmed it, 503 (and not published) when the broker refused it or the channel closed.</summary>
    private static async Task<(IResult Answer, bool Published)> PublishOnAsync(IChannel channel, HttpRequest request, string exchange = "",
        Func<byte[], (BasicProperties Properties, byte[] Body)>? shape = null)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        var (properties, body) = shape?.Invoke(buffer.ToArray()) ?? (new BasicProperties { Persistent = true }, buffer.ToArray());
        try
        {
            // With confirmation tracking, this returns once the broker has confirmed this message (and throws on a nack).
            await channel.BasicPublishAsync(exchange, exchange.Length == 0 ? Queue : "", mandatory: true, properties, body);
            return (Results.Ok(new { status = "accepted" }), true);
        }
        catch (Exception e) when (e is RabbitMQ.Client.Exceptions.PublishException or RabbitMQ.Client.Exceptions.AlreadyClosedException)
        {
            return (Results.StatusCode(StatusCodes.Status503ServiceUnavailable), false);
        }
    }

    /// <summary>Messages the naive endpoint has queued (each one answered 200).</summary>
    public async Task<uint> QueuedAsync()
    {
        await using var channel = await _connection.CreateChannelAsync();
        return await channel.MessageCountAsync(Queue);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        foreach (var channel in _channels)
            await channel.DisposeAsync();
        if (_shared is not null)
            await _shared.DisposeAsync();
        _sharedOpen.Dispose();
        await using (var cleanup = await _connection.CreateChannelAsync())
            await cleanup.QueueDeleteAsync(Queue);
        await _connection.DisposeAsync();
    }
}
