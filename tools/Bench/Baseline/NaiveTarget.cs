using ExternalAction.Bench.Cli;
using RabbitMQ.Client;

namespace ExternalAction.Bench.Baseline;

/// <summary>
/// The floor and naive endpoints a command measures against: hosted in this process (<see cref="ReferenceEndpoints"/>,
/// <c>--rabbit</c>), or a <c>naive-endpoint</c> process at <c>--naive URL</c> whose CPU can then be read on its own.
/// Either way the naive queue is emptied at the start, so that at the end every 200 the naive endpoint gave can be
/// checked against the messages confirmed into it (with <c>--naive</c>, only when <c>--rabbit</c> names its broker).
/// </summary>
internal sealed class NaiveTarget : IAsyncDisposable
{
    private readonly ReferenceEndpoints? _hosted;
    private readonly IConnection? _connection;

    private NaiveTarget(string url, ReferenceEndpoints? hosted, IConnection? connection)
    {
        Url = url;
        _hosted = hosted;
        _connection = connection;
    }

    /// <summary>Base URL: <c>{Url}/floor</c> and <c>{Url}/naive</c>.</summary>
    public string Url { get; }

    public bool Hosted => _hosted is not null;

    public static async Task<NaiveTarget> StartAsync(Options options)
    {
        if (options.TryGet("naive", out var external))
        {
            if (!(Uri.TryCreate(external, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
                throw new ArgumentException($"--naive must be the http(s) base URL of a naive-endpoint process, not '{external}'.");
            IConnection? connection = null;
            if (options.TryGet("rabbit", out var rabbit))
            {
                connection = await new ConnectionFactory { Uri = new Uri(rabbit), ClientProvidedName = "bench-naive-check" }.CreateConnectionAsync();
                await using var channel = await connection.CreateChannelAsync();
                await channel.QueuePurgeAsync(ReferenceEndpoints.Queue);
            }
            return new NaiveTarget(external.TrimEnd('/'), null, connection);
        }
        var hosted = await ReferenceEndpoints.StartAsync(options.Get("rabbit", "amqp://guest:guest@127.0.0.1:5672/"), options.Integer("reference-port", 0));
        return new NaiveTarget(hosted.Url, hosted, null);
    }

    /// <summary>Messages in the naive queue (each one answered 200), or null when this command cannot see it.</summary>
    public async Task<uint?> QueuedAsync()
    {
        if (_hosted is not null)
            return await _hosted.QueuedAsync();
        if (_connection is null)
            return null;
        await using var channel = await _connection.CreateChannelAsync();
        return await channel.MessageCountAsync(ReferenceEndpoints.Queue);
    }

    public async ValueTask DisposeAsync()
    {
        if (_hosted is not null)
            await _hosted.DisposeAsync();
        if (_connection is not null)
            await _connection.DisposeAsync();
    }
}
