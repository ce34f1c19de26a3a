using System.Collections.Concurrent;
using RabbitMQ.Client;

namespace ExternalAction.Bench;

/// <summary>
/// The yardsticks measured in the same run as our intake: a bare "return 200" floor, and a naive endpoint that
/// publishes each request to RabbitMQ and awaits its own publisher confirm (no auth, no validation, no batching).
/// </summary>
internal sealed class ReferenceEndpoints : IAsyncDisposable
{
    public const string Queue = "bench-naive";
    private readonly WebApplication _app;
    private readonly IConnection _connection;
    private readonly ConcurrentBag<IChannel> _channels = [];

    private ReferenceEndpoints(WebApplication app, IConnection connection)
    {
        _app = app;
        _connection = connection;
    }

    public string Url => _app.Urls.First();

    public static async Task<ReferenceEndpoints> StartAsync(string rabbitUrl, int port)
    {
        var connection = await new ConnectionFactory { Uri = new Uri(rabbitUrl), ClientProvidedName = "bench-naive" }.CreateConnectionAsync();
        await using (var setup = await connection.CreateChannelAsync())
        {
            await setup.QueueDeclareAsync(Queue, durable: true, exclusive: false, autoDelete: false);
            await setup.QueuePurgeAsync(Queue);
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
        await app.StartAsync();
        return endpoints;
    }

    private async Task<IResult> PublishAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        if (!_channels.TryTake(out var channel))
            channel = await _connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        try
        {
            // Returns when the broker has confirmed this one message.
            await channel.BasicPublishAsync("", Queue, mandatory: true, new BasicProperties { Persistent = true }, buffer.ToArray());
            return Results.Ok(new { status = "accepted" });
        }
        finally
        {
            _channels.Add(channel);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        foreach (var channel in _channels)
            await channel.DisposeAsync();
        await using (var cleanup = await _connection.CreateChannelAsync())
            await cleanup.QueueDeleteAsync(Queue);
        await _connection.DisposeAsync();
    }
}
