using System.Globalization;
using System.Runtime.InteropServices;
using ExternalAction.Bench.Cli;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;

namespace ExternalAction.Bench.Baseline;

/// <summary>
/// The yardsticks as processes of their own, so their CPU per request can be read from /proc exactly as the Api's and
/// the Processor's are (bench/lib.sh <c>cpu_ticks</c>): in the measuring process it would be mixed with the load
/// generator's. Each serves <c>GET /health/ready</c> on <c>--port</c> and runs until SIGTERM/SIGINT (or <c>--duration</c>).
/// <c>naive-consumer</c>: <see cref="NaiveConsumer"/> on the Processor's queue. <c>naive-endpoint</c>: the floor and the
/// naive confirm-per-request endpoint of <see cref="ReferenceEndpoints"/>, for <c>all</c> and <c>max</c> with <c>--naive URL</c>.
/// </summary>
internal static class StandaloneCommands
{
    private static readonly List<PosixSignalRegistration> Signals = [];

    public static async Task<int> NaiveConsumerAsync(BenchContext context)
    {
        var options = context.Options;
        var settings = ConsumerSettings(options);
        using var stop = StopSignal(options);
        await using var consumer = new NaiveConsumer(settings, context.Http);
        await consumer.ConnectAsync(stop.Token);
        await using var health = await HealthAsync(options.Integer("port", 0), () => consumer.Connected);
        await context.Out.WriteLineAsync($"naive consumer on queue {settings.Queue} (prefetch {settings.Prefetch}, concurrency {settings.Concurrency}); ready at {health.Url}/health/ready");
        await consumer.ConsumeAsync(stop.Token);
        await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"naive consumer: called back {consumer.CalledBack}, without callback {consumer.NoCallback}, unreadable {consumer.Unreadable}, requeued {consumer.Requeued}"));
        return consumer.Unreadable == 0 ? 0 : 1;
    }

    public static async Task<int> NaiveEndpointAsync(BenchContext context)
    {
        var options = context.Options;
        using var stop = StopSignal(options);
        await using var reference = await ReferenceEndpoints.StartAsync(options.Get("rabbit", "amqp://guest:guest@127.0.0.1:5672/"), options.Integer("port", 0));
        await context.Out.WriteLineAsync($"naive endpoint at {reference.Url}/naive, floor at {reference.Url}/floor; ready at {reference.Url}/health/ready");
        await Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        await context.Out.WriteLineAsync($"naive endpoint: {await reference.QueuedAsync()} messages in its queue");
        return 0;
    }

    /// <summary>The consumer's options; the defaults are the Processor's (MessagingOptions: prefetch 64, 32 at once).</summary>
    public static NaiveConsumerSettings ConsumerSettings(Options options)
    {
        var prefetch = options.Integer("prefetch", 64);
        var concurrency = options.Integer("concurrency", 32);
        if (prefetch is < 1 or > ushort.MaxValue || concurrency is < 1 or > ushort.MaxValue)
            throw new ArgumentException("--prefetch and --concurrency must be between 1 and 65535.");
        var sinkPort = options.Integer("sink-port", 5099);
        var channel = options.Get("channel", $"http://127.0.0.1:{sinkPort.ToString(CultureInfo.InvariantCulture)}/channel");
        if (channel != "none" && !(Uri.TryCreate(channel, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
            throw new ArgumentException($"--channel must be an http(s) URL or none, not '{channel}'.");
        var actions = options.Get("channel-actions", "bench-lead");
        return new NaiveConsumerSettings(
            options.Get("rabbit", "amqp://guest:guest@127.0.0.1:5672/"),
            options.Get("queue", "externalaction-process"),
            channel == "none" ? null : channel,
            actions == "*" ? new HashSet<string>(StringComparer.Ordinal) : List(actions),
            (ushort)prefetch, (ushort)concurrency,
            List(options.Get("callback-hosts", "127.0.0.1,localhost")));
    }

    private static HashSet<string> List(string value) =>
        new(value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), StringComparer.OrdinalIgnoreCase);

    /// <summary>Cancelled on SIGTERM or SIGINT, or after <c>--duration</c> seconds when given.</summary>
    private static CancellationTokenSource StopSignal(Options options)
    {
        var stop = new CancellationTokenSource();
        if (options.TryGet("duration", out _))
            stop.CancelAfter(options.Seconds("duration", 0));
        void Handler(PosixSignalContext signal)
        {
            signal.Cancel = true;
            stop.Cancel();
        }
        // Held for the life of the process (one standalone command per process).
        Signals.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handler));
        Signals.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, Handler));
        return stop;
    }

    private sealed class Health(WebApplication app) : IAsyncDisposable
    {
        public string Url { get; } = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();

        public async ValueTask DisposeAsync()
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    private static async Task<Health> HealthAsync(int port, Func<bool> ready)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
        var app = builder.Build();
        app.MapGet("/health/ready", () => ready() ? Results.Ok() : Results.StatusCode(StatusCodes.Status503ServiceUnavailable));
        await app.StartAsync();
        return new Health(app);
    }
}
