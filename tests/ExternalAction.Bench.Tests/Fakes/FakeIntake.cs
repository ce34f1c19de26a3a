using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ExternalAction.Bench.Tests.Fakes;

/// <summary>
/// Stands in for the Api and Processor so the bench commands can be run without the system: answers each submission
/// 200 with a requestId and posts the callback (X-Callback-Token, X-Request-Id) to its callbackUrl. It can lose every
/// Nth request (200 but no callback, row left Processing) and call back every Mth twice; the support endpoint reports
/// the rows.
/// </summary>
public sealed class FakeIntake : IAsyncDisposable
{
    public const string Key = "fake-key";
    public const string SupportKey = "fake-support-key";
    private static readonly HttpClient Callbacks = new();
    private readonly ConcurrentDictionary<string, string> _statuses = new(StringComparer.Ordinal);
    private readonly List<Task> _pending = [];
    private LoopbackServer? _server;
    private long _submissions;
    private long _lookups;

    public int LoseEvery { get; init; }

    /// <summary>Callbacks per second at most (0 = at once): a consumer with a capacity, for e2e-max's search.</summary>
    public int CallbackRate { get; init; }

    private readonly System.Threading.Channels.Channel<Func<Task>> _throttled = System.Threading.Channels.Channel.CreateUnbounded<Func<Task>>();
    private Task? _drainer;
    public int DuplicateEvery { get; init; }

    /// <summary>Bodies containing this text are answered 500 (to prove the fuzz command notices).</summary>
    public string? FailOn { get; init; }

    /// <summary>Submissions (1-based numbers, in arrival order) whose callbacks wait <see cref="PauseFor"/> first: one pause
    /// of a loaded machine, once, for e2e-max's confirm step. Callbacks sent at once only (<see cref="CallbackRate"/> 0).</summary>
    public Range PausedSubmissions { get; init; } = ..0;

    public TimeSpan PauseFor { get; init; }

    public string Url => _server!.Url;

    public async Task<FakeIntake> StartAsync()
    {
        if (CallbackRate > 0)
            _drainer = Task.Run(DrainThrottledAsync);
        _server = await LoopbackServer.StartAsync(app =>
        {
            app.MapPost("/actions/{name}/submitAsyncAction", SubmitAsync);
            app.MapPost("/submitAsyncAction", SubmitAsync);
            app.MapGet("/support/requests/{id}", (string id, HttpRequest request) =>
                request.Headers["X-Support-Key"] != SupportKey ? Results.StatusCode(401)
                : _statuses.TryGetValue(id, out var status) ? Results.Json(new { request = new { requestId = id, status } })
                : Results.NotFound());
            app.MapGet("/health/ready", () => Results.Ok());
            // Journey Builder's execute: a compact JWT body, answered with the out-arguments.
            app.MapPost("/actions/{name}/sfmc/execute", async (HttpRequest request) =>
            {
                var token = await new StreamReader(request.Body).ReadToEndAsync();
                return request.ContentType?.StartsWith("application/jwt", StringComparison.Ordinal) == true && token.Split('.').Length == 3
                    ? Results.Json(new { requestId = "sfmc-" + token.Length, status = "queued" })
                    : Results.StatusCode(401);
            });
            // AJO's custom-action invoke: JSON with the API key, answered with the response fields; the lookup action
            // answers every odd-numbered call from its fallback ("unknown"), so the fallback count is known.
            app.MapPost("/actions/{name}/ajo/invoke", async (string name, HttpRequest request) =>
            {
                if (request.Headers["X-API-Key"] != Key)
                    return Results.StatusCode(401);
                var call = JsonNode.Parse(await new StreamReader(request.Body).ReadToEndAsync());
                var vip = name.Contains("lookup", StringComparison.Ordinal) && Interlocked.Increment(ref _lookups) % 2 == 1 ? "unknown" : "gold";
                return call?["profileId"] is null ? Results.BadRequest() : Results.Json(new { status = vip });
            });
        });
        return this;
    }

    private async Task<IResult> SubmitAsync(HttpRequest request)
    {
        if (request.Headers["X-API-Key"] != Key)
            return Results.StatusCode(401);
        string text;
        try
        {
            // Strict, like the real intake's JSON reader: invalid UTF-8 is a 400, not a body with U+FFFD in its callbackUrl.
            text = await new StreamReader(request.Body, new UTF8Encoding(false, throwOnInvalidBytes: true)).ReadToEndAsync();
        }
        catch (DecoderFallbackException)
        {
            return Results.BadRequest();
        }
        if (FailOn is not null && text.Contains(FailOn, StringComparison.Ordinal))
            return Results.StatusCode(500);
        JsonNode? body;
        try
        {
            body = JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return Results.BadRequest();
        }
        if (body?["token"] is not JsonValue tokenValue || !tokenValue.TryGetValue<string>(out var token)
            || body["callbackUrl"] is not JsonValue urlValue || !urlValue.TryGetValue<string>(out var callbackUrl)
            || !Uri.TryCreate(callbackUrl, UriKind.Absolute, out _))
            return Results.BadRequest();
        var n = Interlocked.Increment(ref _submissions);
        var requestId = Guid.NewGuid().ToString("N");
        var lose = LoseEvery > 0 && n % LoseEvery == 0;
        _statuses[requestId] = lose ? "Processing" : "CallbackSent";
        if (!lose)
        {
            var copies = DuplicateEvery > 0 && n % DuplicateEvery == 0 ? 2 : 1;
            var pause = n >= PausedSubmissions.Start.Value && n < PausedSubmissions.End.Value ? PauseFor : TimeSpan.Zero;
            if (CallbackRate > 0)
                _throttled.Writer.TryWrite(() => CallBackAsync(callbackUrl, token, requestId, copies));
            else
                lock (_pending)
                    _pending.Add(Task.Run(async () =>
                    {
                        await Task.Delay(pause);
                        await CallBackAsync(callbackUrl, token, requestId, copies);
                    }));
        }
        return Results.Ok(new { requestId, status = "accepted", message = "Request accepted for processing" });
    }

    private static async Task CallBackAsync(string url, string token, string requestId, int copies)
    {
        for (var i = 0; i < copies; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url)
            {
                Content = new StringContent("""{"objectData":[{"activityData":{"success":true},"leadData":{"id":1}}]}""", Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("X-Callback-Token", token);
            request.Headers.Add("X-Request-Id", requestId);
            try
            {
                (await Callbacks.SendAsync(request)).Dispose();
            }
            catch (HttpRequestException)
            {
                // The sink is gone (a command that does not wait for callbacks): nothing to account.
            }
        }
    }

    /// <summary>Sends the queued callbacks at <see cref="CallbackRate"/> per second, by schedule (not by sleeping a fixed time per callback).</summary>
    private async Task DrainThrottledAsync()
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        long sent = 0;
        await foreach (var callback in _throttled.Reader.ReadAllAsync())
        {
            var due = TimeSpan.FromSeconds((double)sent / CallbackRate) - started.Elapsed;
            if (due > TimeSpan.Zero)
                await Task.Delay(due);
            else if (due < TimeSpan.FromSeconds(-1))
                // Idle for a while: no burst of saved-up capacity afterwards.
                (started, sent) = (System.Diagnostics.Stopwatch.StartNew(), 0);
            sent++;
            await callback();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _throttled.Writer.TryComplete();
        if (_drainer is not null)
            await _drainer;
        Task[] pending;
        lock (_pending)
            pending = [.. _pending];
        await Task.WhenAll(pending);
        if (_server is not null)
            await _server.DisposeAsync();
    }
}
