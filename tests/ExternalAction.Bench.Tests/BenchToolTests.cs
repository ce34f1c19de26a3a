using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using ExternalAction.TestSupport;
using RabbitMQ.Client;

namespace ExternalAction.Bench.Tests;

/// <summary>The bench tool's own logic: callback matching and accounting, schedules, percentiles; and a short smoke run.</summary>
public sealed class BenchToolTests
{
    [Test]
    public void The_ledger_matches_callbacks_and_counts_lost_and_duplicated()
    {
        var ledger = new CallbackLedger();
        ledger.Sent("a", 100);
        ledger.Sent("b", 100);
        ledger.Sent("c", 100);
        ledger.Sent("d", 100);
        ledger.Acknowledged("a", "req-a");
        ledger.Acknowledged("b", "req-b");
        ledger.Acknowledged("c", "req-c");

        Assert.That(ledger.Callback("a", 350), Is.EqualTo(250));
        Assert.That(ledger.Callback("a", 400), Is.Null, "a second callback is a duplicate, not a latency sample");
        Assert.That(ledger.Callback("b", 150), Is.EqualTo(50));
        Assert.That(ledger.Callback("d", 200), Is.EqualTo(100));
        Assert.That(ledger.Callback("stranger", 200), Is.Null);

        Assert.That(ledger.AcknowledgedCount, Is.EqualTo(3));
        Assert.That(ledger.WithoutCallback, Is.EqualTo(1), "c was acknowledged and never called back");
        Assert.That(ledger.Duplicated, Is.EqualTo(1));
        Assert.That(ledger.CallbacksForUnacknowledged, Is.EqualTo(1));
        Assert.That(ledger.AcknowledgedRequestIds, Is.EquivalentTo(new[] { "req-a", "req-b", "req-c" }));
    }

    [Test]
    public void Options_pair_names_with_values_and_flags_with_true()
    {
        var options = Options.Parse(["--api", "http://x", "--smoke", "--rate", "5"]);
        Assert.That(options.Require("api"), Is.EqualTo("http://x"));
        Assert.That(options.Get("smoke", "false"), Is.EqualTo("true"));
        Assert.That(options.Get("rate", "1"), Is.EqualTo("5"));
        Assert.That(options.Get("missing", "fallback"), Is.EqualTo("fallback"));
    }

    [Test]
    public void The_open_loop_schedule_spaces_requests_evenly()
    {
        Assert.That(LoadGenerator.DueTicks(0, 100), Is.Zero);
        Assert.That(LoadGenerator.DueTicks(100, 100), Is.EqualTo(Stopwatch.Frequency).Within(1));
        Assert.That(LoadGenerator.DueTicks(1, 1000), Is.EqualTo(Stopwatch.Frequency / 1000).Within(1));
    }

    [Test]
    public void Percentiles_come_from_the_histogram()
    {
        var histogram = LatencyReport.NewHistogram();
        for (var ms = 1; ms <= 1000; ms++)
            histogram.RecordValue(ms * 1000L);
        var report = LatencyReport.From("known", 100, 10, 1000, histogram, new Dictionary<string, long> { ["200"] = 1000 });
        Assert.That(report.P50Ms, Is.EqualTo(500).Within(1));
        Assert.That(report.P90Ms, Is.EqualTo(900).Within(1));
        Assert.That(report.P99Ms, Is.EqualTo(990).Within(1));
        Assert.That(report.MaxMs, Is.EqualTo(1000).Within(1));
        Assert.That(report.Throughput, Is.EqualTo(100));
        Assert.That(LatencyReport.MarkdownTable([report]), Does.Contain("| known | 100 | 100.0 | 1000 | 1000 | 500."));
        Assert.That(LatencyReport.Svg([("known", histogram)]), Does.StartWith("<svg").And.Contain("polyline"));
    }

    [Test]
    public void Bodies_cover_the_three_entity_types_with_unique_tokens()
    {
        var bodies = Enumerable.Range(0, 6).Select(i => Bodies.Create(i, "http://127.0.0.1:1", "run")).ToList();
        Assert.That(bodies.Select(b => b.Token), Is.Unique);
        Assert.That(bodies.Select(b => JsonNode.Parse(b.Json)!["objectData"]!["objectType"]!.GetValue<string>()).Distinct(),
            Is.EquivalentTo(new[] { "lead", "account", "accountPerson" }));
        Assert.That(bodies.Count(b => JsonNode.Parse(b.Json)!["actionConfig"]!["pathConfig"] is not null), Is.EqualTo(3));
    }

    [Test]
    public async Task A_smoke_run_of_the_floor_and_the_naive_baseline_completes_every_request()
    {
        await using var vhost = await RabbitVirtualHost.CreateAsync();
        await using var reference = await ReferenceEndpoints.StartAsync(vhost.Url, FreePort());
        using var http = new HttpClient();
        var generator = new LoadGenerator(http);
        foreach (var target in new[] { "floor", "naive" })
        {
            var result = await generator.OpenLoopAsync(50, TimeSpan.FromSeconds(2), i => new HttpRequestMessage(HttpMethod.Post, $"{reference.Url}/{target}")
            {
                Content = new StringContent(Bodies.Create(i, "http://127.0.0.1:1", "smoke").Json, Encoding.UTF8, "application/json"),
            });
            Assert.That(result.Sent, Is.EqualTo(100));
            Assert.That(result.Histogram.TotalCount, Is.EqualTo(100));
            Assert.That(result.ByStatus["200"], Is.EqualTo(100));
        }
        var factory = new ConnectionFactory { Uri = new Uri(vhost.Url) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        Assert.That(await channel.MessageCountAsync(ReferenceEndpoints.Queue), Is.EqualTo(100u), "every naive 200 was confirmed into the queue");
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
