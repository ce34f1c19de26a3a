using System.Diagnostics;
using HdrHistogram;

namespace ExternalAction.Bench;

/// <summary>
/// The platform's callback endpoint and an instant channel, on loopback: each callback is matched to its request by
/// X-Callback-Token and its end-to-end latency (request sent → callback received) recorded.
/// </summary>
internal sealed class CallbackSink : IAsyncDisposable
{
    private readonly WebApplication _app;

    private CallbackSink(WebApplication app, CallbackLedger ledger)
    {
        _app = app;
        Ledger = ledger;
    }

    public CallbackLedger Ledger { get; }
    public LongHistogram EndToEnd { get; } = LatencyReport.NewHistogram();
    public string Url => _app.Urls.First();

    /// <param name="failCallbacksFor">Drill: answer callbacks 500 for this long after the sink starts, then 200.</param>
    /// <param name="channel429Every">Drill: answer every Nth channel request 429 with Retry-After: 1 (0 = never).</param>
    public static async Task<CallbackSink> StartAsync(int port, CallbackLedger ledger, TimeSpan failCallbacksFor = default, int channel429Every = 0)
    {
        var started = Stopwatch.GetTimestamp();
        long channelCalls = 0;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var sink = new CallbackSink(app, ledger);
        app.MapPost("/callback/{token}", async (HttpRequest request) =>
        {
            var now = Stopwatch.GetTimestamp();
            await request.Body.CopyToAsync(Stream.Null);
            if (Stopwatch.GetElapsedTime(started) < failCallbacksFor)
                return Results.StatusCode(500);
            var token = request.Headers["X-Callback-Token"].ToString();
            if (ledger.Callback(token, now) is { } ticks)
                lock (sink.EndToEnd)
                    sink.EndToEnd.RecordValue(Math.Min(ticks * 1_000_000 / Stopwatch.Frequency, LatencyReport.HighestMicros));
            return Results.Ok(new { status = "accepted", message = "Callback processed successfully" });
        });
        app.MapPost("/channel", async (HttpRequest request) =>
        {
            await request.Body.CopyToAsync(Stream.Null);
            if (channel429Every > 0 && Interlocked.Increment(ref channelCalls) % channel429Every == 0)
            {
                request.HttpContext.Response.Headers.RetryAfter = "1";
                return Results.StatusCode(429);
            }
            return Results.Ok(new { score = 91, tier = "hot" });
        });
        await app.StartAsync();
        return sink;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
