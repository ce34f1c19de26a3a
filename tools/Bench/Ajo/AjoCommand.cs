using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;
using ExternalAction.Bench.Baseline;
using ExternalAction.Bench.Cli;
using ExternalAction.Bench.EndToEnd;
using ExternalAction.Bench.Intake;
using ExternalAction.Bench.Reporting;

namespace ExternalAction.Bench.Ajo;

/// <summary>
/// <c>ajo</c>: the answer latency of the AJO custom-action face (<c>/actions/{name}/ajo/invoke</c>) at fixed open-loop
/// rates, in the same run as the floor, the naive confirm-per-request endpoint and our B2B intake. Two AJO actions of
/// bench/actions.json: <c>bench-ajo-rules</c> (response fields from rules over the payload) and <c>bench-ajo-lookup</c>
/// (from a lookup to the sink's decision endpoint, which answers after 50 ms; budget 300 ms). Every call is another
/// profile, so no answer comes from the retry cache. Issue 11's targets: rules p99 within 1.2× the intake's p99 and
/// under 50 ms; lookup p99 under the budget.
/// </summary>
internal static class AjoCommand
{
    public const double LookupBudgetMs = 300;

    public static async Task<int> RunAsync(BenchContext context)
    {
        var options = context.Options;
        var rates = options.Numbers("rates", "200,500", smoke: "50");
        var duration = options.Seconds("duration", 10, smoke: 2);
        var warmup = options.Seconds("warmup", Measurement.WarmUpSeconds, smoke: 0.5);
        var pause = options.Seconds("pause", 2, smoke: 0.2);
        await using var sink = await CallbackSink.StartAsync(context.SinkPort, new CallbackLedger());
        await using var reference = await ReferenceEndpoints.StartAsync(options.Get("rabbit", "amqp://guest:guest@127.0.0.1:5672/"), options.Integer("reference-port", 0));
        var api = options.Require("api").TrimEnd('/');
        var key = options.TryGet("key", out var k) ? k : null;
        var targets = new List<Target>
        {
            new("floor", _ => $"{reference.Url}/floor"),
            new("naive", _ => $"{reference.Url}/naive"),
            context.Intake(),
            Invoke(context, "ajo-rules", $"{api}/actions/bench-ajo-rules/ajo/invoke", key),
            Invoke(context, "ajo-lookup", $"{api}/actions/bench-ajo-lookup/ajo/invoke", key),
        };

        foreach (var target in targets)
            await Measurement.WarmUpAsync(context, target, Math.Min(rates[0], 100), warmup, sink.Url);
        var fallbacks = rates.ToDictionary(r => r, _ => new StrongBox<long>());
        // The lookup's answers that came from the fallback (budget spent or lookup failed), read from each 200.
        var run = await Rounds.RunAsync(context, targets, rates, options.Integer("rounds", 1), duration, pause, sink.Url,
            (target, rate) => target.Name != "ajo-lookup" ? null : async (_, response) =>
            {
                if (response.IsSuccessStatusCode && (await response.Content.ReadAsStringAsync()).Contains("\"unknown\"", StringComparison.Ordinal))
                    Interlocked.Increment(ref fallbacks[rate].Value);
            });
        var measured = run.Pooled;

        var reports = measured.Select(m => m.Report).ToList();
        var problems = IntakeCommand.Problems([.. reports]).ToList();
        var markdown = new StringBuilder(LatencyReport.MarkdownTable(reports)).Append('\n').Append(Targets(reports, run.Windows, rates, fallbacks.ToDictionary(f => f.Key, f => f.Value.Value))).Append('\n').Append(Rounds.WindowTable(run.Windows)).Append('\n').Append(ProcessCpu.Table(reports));
        var result = context.Result("ajo", reports) with { Problems = problems };
        await context.Results.WriteAsync(options.Get("name", "ajo"), result, markdown.ToString(),
            measured.Select(m => (m.Report.Name, m.Histogram)), context.Out);
        foreach (var problem in problems)
            await context.Error.WriteLineAsync($"problem: {problem}");
        return problems.Count == 0 ? 0 : 1;
    }

    /// <summary>An AJO face as a target: each request is <see cref="Call"/> for its index, with the caller's API key.</summary>
    private static Target Invoke(BenchContext context, string name, string url, string? key) => new(name, _ => url, key, index =>
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(Call(context.Run, index), Encoding.UTF8, "application/json") };
        if (key is not null)
            request.Headers.Add(context.Options.Get("key-header", "X-API-Key"), key);
        return request;
    });

    /// <summary>One AJO call: a new profile per index (so a new request id), the journey and step of the benchmark.</summary>
    public static string Call(string run, long index) => new JsonObject
    {
        ["profileId"] = $"{run}-{index}",
        ["journeyVersionId"] = "journey-bench-v1",
        ["stepId"] = "bench-step",
        ["tier"] = (index % 3) switch { 0 => "gold", 1 => "silver", _ => "bronze" },
        ["lifetimeValue"] = index % 7 * 1500.5,
    }.ToJsonString();

    /// <summary>The issue's targets, per rate: AJO p99 against the intake's p99 and the absolute bounds.</summary>
    public static string Targets(IReadOnlyList<LatencyReport> reports, IReadOnlyList<LatencyReport> windows, IEnumerable<double> rates, IReadOnlyDictionary<double, long> fallbacks)
    {
        var text = new StringBuilder("| rate req/s | intake p99 ms | ajo-rules p99 ms | rules ÷ intake (target ≤ 1.2) | median of the rounds' rules ÷ intake | rules p99 < 50 ms | ajo-lookup p99 ms | lookup ÷ intake | lookup p99 < 300 ms budget | lookup answers from the fallback |\n|---|---|---|---|---|---|---|---|---|---|\n");
        foreach (var rate in rates)
        {
            LatencyReport Find(string name) => reports.Single(r => r.Name == $"{name}@{rate:0}");
            var (intake, rules, lookup) = (Find("intake"), Find("ajo-rules"), Find("ajo-lookup"));
            var rulesRatio = rules.P99Ms / Math.Max(intake.P99Ms, 0.001);
            var lookupRatio = lookup.P99Ms / Math.Max(intake.P99Ms, 0.001);
            string Met(bool met) => met ? "met" : "not met";
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {rate:0} | {intake.P99Ms:0.00} | {rules.P99Ms:0.00} | {rulesRatio:0.00} ({Met(rulesRatio <= 1.2)}) | {Rounds.MedianRatio(windows, "ajo-rules", "intake", rate):0.00} | {Met(rules.P99Ms < 50)} | {lookup.P99Ms:0.00} | {lookupRatio:0.00} | {Met(lookup.P99Ms < LookupBudgetMs)} | {fallbacks.GetValueOrDefault(rate)} of {lookup.Completed} |");
        }
        return text.ToString();
    }
}
