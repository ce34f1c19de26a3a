using System.Diagnostics;
using System.Globalization;
using ExternalAction.Bench.Load;
using ExternalAction.Bench.Tests.Fakes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ExternalAction.Bench.Tests;

public sealed class LoadGeneratorTests
{
    private static readonly HttpClient Http = new();

    [Test]
    public async Task An_open_loop_run_charges_a_slow_server_for_the_queue_it_builds_where_a_closed_loop_does_not()
    {
        // One request at a time, 20 ms each: 50 req/s at most. Offered 100 req/s for 1 s, the last request waits about 1 s.
        var gate = new SemaphoreSlim(1, 1);
        await using var server = await LoopbackServer.StartAsync(app => app.MapPost("/", async () =>
        {
            await gate.WaitAsync();
            try
            {
                await Task.Delay(20);
            }
            finally
            {
                gate.Release();
            }
            return Results.Ok();
        }));
        var generator = new LoadGenerator(Http);
        HttpRequestMessage Make(long index, long due) => new(HttpMethod.Post, server.Url);

        var open = await generator.OpenLoopAsync(new OpenLoopSchedule(100, TimeSpan.FromSeconds(1)), Make);
        var closed = await generator.ClosedLoopAsync(1, TimeSpan.FromSeconds(1), Make);

        Assert.That(open.Latency.TotalCount, Is.EqualTo(100));
        Assert.That(open.Latency.GetValueAtPercentile(99) / 1000.0, Is.GreaterThan(700), "queueing behind the slow server is measured");
        Assert.That(closed.Latency.GetValueAtPercentile(99) / 1000.0, Is.LessThan(200), "a closed loop only sees the service time");
    }

    [Test]
    public async Task Every_scheduled_request_is_sent_and_its_answer_counted_by_status()
    {
        await using var server = await LoopbackServer.StartAsync(app => app.MapPost("/", (HttpRequest request) =>
            Results.StatusCode(int.Parse(request.Headers["X-Index"].ToString(), CultureInfo.InvariantCulture) % 2 == 0 ? 200 : 503)));
        var dues = new System.Collections.Concurrent.ConcurrentDictionary<long, long>();
        var generator = new LoadGenerator(Http);

        var result = await generator.OpenLoopAsync(new OpenLoopSchedule(200, TimeSpan.FromSeconds(0.5)), (index, due) =>
        {
            dues[index] = due;
            var request = new HttpRequestMessage(HttpMethod.Post, server.Url);
            request.Headers.Add("X-Index", index.ToString(CultureInfo.InvariantCulture));
            return request;
        });

        Assert.That(result.Sent, Is.EqualTo(100));
        Assert.That(result.ByStatus, Is.EquivalentTo(new Dictionary<string, long> { ["200"] = 50, ["503"] = 50 }));
        Assert.That(result.Latency.TotalCount, Is.EqualTo(100));
        Assert.That(result.Seconds, Is.GreaterThanOrEqualTo(0.49));
        var schedule = new OpenLoopSchedule(200, TimeSpan.FromSeconds(0.5));
        Assert.That(Enumerable.Range(0, 100).Select(i => dues[i] - dues[0]), Is.EqualTo(Enumerable.Range(0, 100).Select(i => schedule.DueTicks(i))),
            "each request is handed its intended send time");
    }

    [Test]
    public async Task A_request_without_an_answer_is_counted_by_its_exception_and_not_as_latency()
    {
        int port;
        using (var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        }
        var live = new LiveCounters();

        var result = await new LoadGenerator(Http).OpenLoopAsync(new OpenLoopSchedule(20, TimeSpan.FromSeconds(0.25)),
            (_, _) => new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{port}/"), live: live);

        Assert.That(result.ByStatus, Is.EquivalentTo(new Dictionary<string, long> { ["HttpRequestException"] = 5 }));
        Assert.That(result.Latency.TotalCount, Is.Zero);
        Assert.That((live.Sent, live.Completed, live.Failed), Is.EqualTo((5L, 5L, 5L)));
    }

    [Test]
    public async Task A_closed_loop_keeps_each_worker_busy_until_the_duration_ends()
    {
        await using var server = await LoopbackServer.StartAsync(app => app.MapPost("/", async () =>
        {
            await Task.Delay(10);
            return Results.Ok();
        }));
        var watch = Stopwatch.StartNew();

        var result = await new LoadGenerator(Http).ClosedLoopAsync(4, TimeSpan.FromSeconds(0.5), (_, _) => new HttpRequestMessage(HttpMethod.Post, server.Url));

        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(2)));
        Assert.That(result.Sent, Is.EqualTo(result.Latency.TotalCount));
        Assert.That(result.Sent, Is.InRange(20, 4 * 50 + 4), "four workers, about 10 ms each, for half a second");
    }
}
