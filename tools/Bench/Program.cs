using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ExternalAction.Bench;

// Benchmark driver. Commands:
//   all  --api URL --key KEY --rabbit AMQP [--rates 200,500,1000] [--duration 10] [--warmup 3] [--out DIR]
//        floor, naive baseline and our intake at the same open-loop rates, one run; ratios to the baseline.
//   e2e  --api URL --key KEY --pg CONNSTR [--rate 500] [--duration 20] [--grace 60] [--sink-port 5099] [--out DIR]
//        request sent → callback received latency, and the accounting: lost and duplicated must be 0.
//        Drill options: --callback-fail-seconds 30 (callbacks answer 500 first), --channel-429-every 5.
//   max  --api URL --key KEY [--workers 64] [--duration 10]   closed loop: highest sustainable intake rate.
//   fuzz --api URL --key KEY [--count 10000] [--seed 1]    malformed bodies and headers; exit 1 on any 5xx.
// The Api's bench actions (bench/actions.json) send their channel and callbacks to this tool's sink.
var command = args.FirstOrDefault() ?? "help";
var options = Options.Parse(args.Skip(1));
var outDir = options.Get("out", "bench-results");
Directory.CreateDirectory(outDir);
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 512, PooledConnectionLifetime = TimeSpan.FromMinutes(10) }) { Timeout = TimeSpan.FromSeconds(30) };
var run = $"bench-{DateTime.UtcNow:HHmmss}-{Random.Shared.Next(1000, 9999)}";
var sinkPort = int.Parse(options.Get("sink-port", "5099"), CultureInfo.InvariantCulture);

switch (command)
{
    case "all":
        await AllAsync();
        break;
    case "e2e":
        return await EndToEndAsync();
    case "max":
        await MaxAsync();
        break;
    case "fuzz":
        return await FuzzAsync();
    default:
        Console.WriteLine("usage: ExternalAction.Bench all|e2e|max [--options]; see the comment at the top of Program.cs and docs/benchmarks.md");
        return 2;
}
return 0;

async Task AllAsync()
{
    var rates = options.Get("rates", "200,500,1000").Split(',').Select(r => double.Parse(r, CultureInfo.InvariantCulture)).ToArray();
    var duration = TimeSpan.FromSeconds(double.Parse(options.Get("duration", "10"), CultureInfo.InvariantCulture));
    var ledger = new CallbackLedger();
    await using var sink = await CallbackSink.StartAsync(sinkPort, ledger);
    await using var reference = await ReferenceEndpoints.StartAsync(options.Require("rabbit"), sinkPort + 1);
    var generator = new LoadGenerator(http);
    var reports = new List<LatencyReport>();
    var plots = new List<(string, HdrHistogram.LongHistogram)>();
    // Unrecorded warm-up of every target (JIT, connection pools), so the first measured rate is not charged for it.
    var warmup = TimeSpan.FromSeconds(double.Parse(options.Get("warmup", "3"), CultureInfo.InvariantCulture));
    foreach (var target in new[] { "floor", "naive", "intake" })
        await generator.OpenLoopAsync(100, warmup, i => Request(target, 1_000_000_000 + i, reference.Url, sink.Url, ledger));
    foreach (var rate in rates)
    {
        foreach (var target in new[] { "floor", "naive", "intake" })
        {
            Console.Error.WriteLine($"{target} at {rate} req/s for {duration.TotalSeconds} s…");
            var result = await generator.OpenLoopAsync(rate, duration, i => Request(target, i, reference.Url, sink.Url, ledger),
                progress: i => Console.Error.Write($"\r  {i} sent"));
            Console.Error.WriteLine();
            var report = LatencyReport.From($"{target}@{rate}", rate, result.Seconds, result.Sent, result.Histogram, result.ByStatus, result.Dropped);
            reports.Add(report);
            plots.Add((report.Name, result.Histogram));
            await Task.Delay(TimeSpan.FromSeconds(2));
        }
    }
    var table = LatencyReport.MarkdownTable(reports);
    var ratios = new StringBuilder("\n| rate | intake/naive throughput | intake p99 / naive p99 | intake p99 / floor p99 |\n|---|---|---|---|\n");
    foreach (var rate in rates)
    {
        var ours = reports.Single(r => r.Name == $"intake@{rate}");
        var naive = reports.Single(r => r.Name == $"naive@{rate}");
        var floor = reports.Single(r => r.Name == $"floor@{rate}");
        ratios.AppendLine(CultureInfo.InvariantCulture, $"| {rate:0} | {ours.Throughput / naive.Throughput:0.00} | {ours.P99Ms / Math.Max(naive.P99Ms, 0.001):0.00} | {ours.P99Ms / Math.Max(floor.P99Ms, 0.001):0.00} |");
    }
    await WriteAsync("intake", reports, table + ratios, plots);
}

async Task<int> EndToEndAsync()
{
    var rate = double.Parse(options.Get("rate", "500"), CultureInfo.InvariantCulture);
    var duration = TimeSpan.FromSeconds(double.Parse(options.Get("duration", "20"), CultureInfo.InvariantCulture));
    var grace = TimeSpan.FromSeconds(double.Parse(options.Get("grace", "60"), CultureInfo.InvariantCulture));
    var ledger = new CallbackLedger();
    await using var sink = await CallbackSink.StartAsync(sinkPort, ledger,
        TimeSpan.FromSeconds(double.Parse(options.Get("callback-fail-seconds", "0"), CultureInfo.InvariantCulture)),
        int.Parse(options.Get("channel-429-every", "0"), CultureInfo.InvariantCulture));
    var generator = new LoadGenerator(http);
    var result = await generator.OpenLoopAsync(rate, duration, i => Request("intake", i, "", sink.Url, ledger),
        onResponse: async (i, response) =>
        {
            if (!response.IsSuccessStatusCode)
                return;
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            ledger.Acknowledged($"{run}-{i}", body.RootElement.GetProperty("requestId").GetString()!);
        },
        progress: i => Console.Error.Write($"\r  {i} sent, {ledger.AcknowledgedCount - ledger.WithoutCallback} called back"));
    Console.Error.WriteLine();
    var until = DateTime.UtcNow + grace;
    while (ledger.WithoutCallback > 0 && DateTime.UtcNow < until)
        await Task.Delay(250);
    await Task.Delay(TimeSpan.FromSeconds(2)); // late duplicates
    var ack = LatencyReport.From($"intake-ack@{rate}", rate, result.Seconds, result.Sent, result.Histogram, result.ByStatus, result.Dropped);
    var e2e = LatencyReport.From($"end-to-end@{rate}", rate, result.Seconds, result.Sent, sink.EndToEnd, new Dictionary<string, long> { ["callbacks"] = sink.EndToEnd.TotalCount });
    var accounting = new StringBuilder("\n| accounting | count |\n|---|---|\n");
    accounting.AppendLine(CultureInfo.InvariantCulture, $"| acknowledged with 200 | {ledger.AcknowledgedCount} |");
    accounting.AppendLine(CultureInfo.InvariantCulture, $"| lost (200 but no callback within {grace.TotalSeconds:0} s) | {ledger.WithoutCallback} |");
    accounting.AppendLine(CultureInfo.InvariantCulture, $"| duplicated (more than one callback) | {ledger.Duplicated} |");
    accounting.AppendLine(CultureInfo.InvariantCulture, $"| callbacks for requests not acknowledged | {ledger.CallbacksForUnacknowledged} |");
    if (options.TryGet("pg", out var pg))
    {
        var counts = await Outcomes.CountAsync(pg, ledger.AcknowledgedRequestIds);
        foreach (var (status, count) in counts.OrderBy(c => c.Key))
            accounting.AppendLine(CultureInfo.InvariantCulture, $"| status table: {status} | {count} |");
        accounting.AppendLine(CultureInfo.InvariantCulture, $"| status table: not final | {Outcomes.Unfinished(counts)} |");
    }
    await WriteAsync(options.Get("name", "e2e"), [ack, e2e], LatencyReport.MarkdownTable([ack, e2e]) + accounting, [(ack.Name, result.Histogram), (e2e.Name, sink.EndToEnd)]);
    Console.WriteLine($"lost={ledger.WithoutCallback} duplicated={ledger.Duplicated}");
    return ledger.WithoutCallback == 0 && ledger.Duplicated == 0 ? 0 : 1;
}

async Task MaxAsync()
{
    var workers = int.Parse(options.Get("workers", "64"), CultureInfo.InvariantCulture);
    var duration = TimeSpan.FromSeconds(double.Parse(options.Get("duration", "10"), CultureInfo.InvariantCulture));
    var ledger = new CallbackLedger();
    await using var sink = await CallbackSink.StartAsync(sinkPort, ledger);
    var result = await new LoadGenerator(http).ClosedLoopAsync(workers, duration, i => Request("intake", i, "", sink.Url, ledger));
    var report = LatencyReport.From($"intake-closed-loop-{workers}", 0, result.Seconds, result.Sent, result.Histogram, result.ByStatus);
    await WriteAsync("max", [report], LatencyReport.MarkdownTable([report]), [(report.Name, result.Histogram)]);
}

async Task<int> FuzzAsync()
{
    var count = int.Parse(options.Get("count", "10000"), CultureInfo.InvariantCulture);
    var random = new Random(int.Parse(options.Get("seed", "1"), CultureInfo.InvariantCulture));
    var contents = Enumerable.Range(0, count).Select(i => Fuzzer.Mutate(i, random)).ToList();
    var byStatus = new System.Collections.Concurrent.ConcurrentDictionary<int, int>();
    var next = -1;
    await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < count)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"{options.Require("api")}/actions/bench-lead/submitAsyncAction") { Content = contents[i] };
            request.Headers.TryAddWithoutValidation("X-API-Key", i % 97 == 0 ? "wrong-key" : options.Require("key"));
            if (i % 53 == 0)
                request.Headers.TryAddWithoutValidation("X-Customer-ID", new string('h', 9000));
            try
            {
                using var response = await http.SendAsync(request);
                byStatus.AddOrUpdate((int)response.StatusCode, 1, (_, n) => n + 1);
            }
            catch (HttpRequestException)
            {
                byStatus.AddOrUpdate(0, 1, (_, n) => n + 1);
            }
        }
    })));
    using var ready = await http.GetAsync($"{options.Require("api")}/health/ready");
    var serverErrors = byStatus.Where(s => s.Key >= 500).Sum(s => s.Value);
    var markdown = new StringBuilder("| status | count |\n|---|---|\n");
    foreach (var (status, n) in byStatus.OrderBy(s => s.Key))
        markdown.AppendLine(CultureInfo.InvariantCulture, $"| {(status == 0 ? "connection error" : status)} | {n} |");
    markdown.AppendLine(CultureInfo.InvariantCulture, $"\n{count} malformed submissions: {serverErrors} answered 5xx; /health/ready afterwards: {(int)ready.StatusCode}.");
    await File.WriteAllTextAsync(Path.Combine(outDir, "fuzz.md"), markdown.ToString());
    Console.WriteLine(markdown);
    return serverErrors == 0 && ready.IsSuccessStatusCode ? 0 : 1;
}

HttpRequestMessage Request(string target, long index, string referenceUrl, string sinkUrl, CallbackLedger ledger)
{
    var (action, token, json) = Bodies.Create(index, sinkUrl, run);
    var url = target switch
    {
        "floor" => $"{referenceUrl}/floor",
        "naive" => $"{referenceUrl}/naive",
        _ => $"{options.Require("api")}/actions/{action}/submitAsyncAction",
    };
    var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
    if (target == "intake")
    {
        request.Headers.Add("X-API-Key", options.Require("key"));
        ledger.Sent(token, Stopwatch.GetTimestamp());
    }
    return request;
}

async Task WriteAsync(string name, IReadOnlyList<LatencyReport> reports, string markdown, IEnumerable<(string, HdrHistogram.LongHistogram)> plots)
{
    await File.WriteAllTextAsync(Path.Combine(outDir, $"{name}.json"), JsonSerializer.Serialize(reports, new JsonSerializerOptions { WriteIndented = true }));
    await File.WriteAllTextAsync(Path.Combine(outDir, $"{name}.md"), markdown);
    await File.WriteAllTextAsync(Path.Combine(outDir, $"{name}.svg"), LatencyReport.Svg(plots));
    Console.WriteLine(markdown);
}

/// <summary>--name value pairs.</summary>
internal sealed class Options
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public static Options Parse(IEnumerable<string> args)
    {
        var options = new Options();
        var list = args.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            if (!list[i].StartsWith("--", StringComparison.Ordinal))
                continue;
            var name = list[i][2..];
            var value = i + 1 < list.Count && !list[i + 1].StartsWith("--", StringComparison.Ordinal) ? list[++i] : "true";
            options._values[name] = value;
        }
        return options;
    }

    public string Get(string name, string fallback) => _values.TryGetValue(name, out var v) ? v : fallback;

    public bool TryGet(string name, out string value) => _values.TryGetValue(name, out value!);

    public string Require(string name) => _values.TryGetValue(name, out var v) ? v : throw new ArgumentException($"--{name} is required");
}
