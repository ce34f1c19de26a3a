using System.Diagnostics;
using System.Text.Json;
using ExternalAction.Bench.Reporting;
using HdrHistogram;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;

namespace ExternalAction.Bench.EndToEnd;

/// <summary>Drill behaviour of the sink: callbacks refused with 500 for a while, channel deliveries throttled with 429.</summary>
/// <param name="FailCallbacksFor">Answer callbacks 500 for this long after the sink starts, then 200.</param>
/// <param name="Channel429Every">Answer every Nth channel request 429 with Retry-After: 1 (0 = never).</param>
internal sealed record SinkDrills(TimeSpan FailCallbacksFor = default, int Channel429Every = 0);

/// <summary>
/// The platform's callback endpoint and an instant channel, on loopback (Kestrel). Each callback is matched to its
/// request by <c>X-Callback-Token</c> in the <see cref="CallbackLedger"/>, and the first one's end-to-end latency
/// (request sent → callback received) goes into <see cref="EndToEnd"/>.
/// </summary>
internal sealed class CallbackSink : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CallbackLedger _ledger;
    private readonly SinkDrills _drills;
    private readonly long _started = Stopwatch.GetTimestamp();
    private long _channelCalls;
    private long _refused;

    private CallbackSink(WebApplication app, CallbackLedger ledger, SinkDrills drills)
    {
        _app = app;
        _ledger = ledger;
        _drills = drills;
    }

    public LongHistogram EndToEnd { get; } = LatencyReport.NewHistogram();

    /// <summary>How long <c>GET /decide/{contact}</c> takes to answer.</summary>
    public static TimeSpan DecideDelay { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Base URL, e.g. http://127.0.0.1:5099 (the real port when 0 was asked for).</summary>
    public string Url { get; private set; } = "";

    public long ChannelCalls => Interlocked.Read(ref _channelCalls);

    /// <summary>Callbacks answered 500 by the drill.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <param name="port">0 picks a free port.</param>
    public static async Task<CallbackSink> StartAsync(int port, CallbackLedger ledger, SinkDrills? drills = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var sink = new CallbackSink(app, ledger, drills ?? new SinkDrills());
        app.MapPost("/callback/{**rest}", sink.CallbackAsync);
        app.MapPost("/channel", sink.ChannelAsync);
        // The decision endpoint of the SFMC lookup split: answers after --decide-ms (50) like a real segment service.
        app.MapGet("/decide/{contact}", async (string contact, CancellationToken ct) =>
        {
            await Task.Delay(DecideDelay, ct);
            return Results.Json(new { segment = contact.EndsWith('0') ? "vip" : "regular" });
        });
        await app.StartAsync();
        sink.Url = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return sink;
    }

    private async Task<IResult> CallbackAsync(HttpRequest request)
    {
        var now = Stopwatch.GetTimestamp();
        using var body = await ReadJsonAsync(request);
        if (Stopwatch.GetElapsedTime(_started) < _drills.FailCallbacksFor)
        {
            Interlocked.Increment(ref _refused);
            return Results.StatusCode(StatusCodes.Status500InternalServerError);
        }
        var token = request.Headers["X-Callback-Token"].ToString();
        var requestId = request.Headers["X-Request-Id"].ToString();
        if (_ledger.Callback(token, requestId.Length == 0 ? null : requestId, ReportsSuccess(body), now) is { } ticks)
        {
            lock (EndToEnd)
                EndToEnd.RecordValue(Math.Clamp(ticks * 1_000_000 / Stopwatch.Frequency, 0, LatencyReport.HighestMicros));
        }
        return Results.Ok(new { status = "accepted", message = "Callback processed successfully" });
    }

    private async Task<IResult> ChannelAsync(HttpRequest request)
    {
        await request.Body.CopyToAsync(Stream.Null);
        var call = Interlocked.Increment(ref _channelCalls);
        if (_drills.Channel429Every > 0 && call % _drills.Channel429Every == 0)
        {
            request.HttpContext.Response.Headers.RetryAfter = "1";
            return Results.StatusCode(StatusCodes.Status429TooManyRequests);
        }
        return Results.Ok(new { score = 91, tier = "hot" });
    }

    private static async Task<JsonDocument?> ReadJsonAsync(HttpRequest request)
    {
        try
        {
            return await JsonDocument.ParseAsync(request.Body);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary><c>objectData[0].activityData.success</c>; a body without it counts as not reporting success.</summary>
    private static bool ReportsSuccess(JsonDocument? body) =>
        body is not null
        && body.RootElement.ValueKind == JsonValueKind.Object
        && body.RootElement.TryGetProperty("objectData", out var items) && items.ValueKind == JsonValueKind.Array && items.GetArrayLength() > 0
        && items[0].ValueKind == JsonValueKind.Object
        && items[0].TryGetProperty("activityData", out var activity) && activity.ValueKind == JsonValueKind.Object
        && activity.TryGetProperty("success", out var success) && success.ValueKind == JsonValueKind.True;

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
