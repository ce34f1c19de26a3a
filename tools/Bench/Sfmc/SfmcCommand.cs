using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using ExternalAction.Bench.Baseline;
using ExternalAction.Bench.Cli;
using ExternalAction.Bench.EndToEnd;
using ExternalAction.Bench.Intake;
using ExternalAction.Bench.Reporting;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ExternalAction.Bench.Sfmc;

/// <summary>
/// <c>sfmc</c>: Journey Builder's execute against the same deployment, in one run with the floor, the naive
/// confirm-per-request baseline and the B2B intake, at the same open-loop rates: a plain activity (<c>bench-sfmc</c>),
/// a split decided by rules (<c>bench-sfmc-split</c>) and a split decided by a lookup that takes <c>--decide-ms</c>
/// (<c>bench-sfmc-lookup</c>, served by this tool's sink). Each execute is a fresh HS256 JWT for a new contact, signed
/// with <c>--secret</c>, as Journey Builder sends it. Reports p50/p99 and each SFMC target's p99 over the intake's.
/// </summary>
internal static class SfmcCommand
{
    public static async Task<int> RunAsync(BenchContext context)
    {
        var options = context.Options;
        var rates = options.Numbers("rates", "200,500", smoke: "50");
        var duration = options.Seconds("duration", 10, smoke: 2);
        var warmup = options.Seconds("warmup", Measurement.WarmUpSeconds, smoke: 0.5);
        var pause = options.Seconds("pause", 2, smoke: 0.2);
        var secret = options.Require("secret");
        CallbackSink.DecideDelay = TimeSpan.FromMilliseconds(options.Number("decide-ms", 50));
        await using var sink = await CallbackSink.StartAsync(context.SinkPort, new CallbackLedger());
        await using var reference = await ReferenceEndpoints.StartAsync(options.Get("rabbit", "amqp://guest:guest@127.0.0.1:5672/"), options.Integer("reference-port", 0));
        var api = context.ApiBase;
        var signing = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret)), SecurityAlgorithms.HmacSha256);
        var handler = new JsonWebTokenHandler();
        Target Execute(string name, string action) => new(name, _ => "", Build: index =>
        {
            var contact = $"{context.Run}-{index}";
            var payload = new JsonObject
            {
                ["inArguments"] = new JsonArray(new JsonObject { ["contactKey"] = contact }, new JsonObject { ["tier"] = index % 2 == 0 ? "gold" : "wood" }),
                ["outArguments"] = new JsonArray(),
                ["activityObjectID"] = "bench-activity", ["activityId"] = "bench-activity", ["journeyId"] = "bench-journey",
                ["definitionInstanceId"] = "bench-journey-v1", ["activityInstanceId"] = Guid.NewGuid().ToString(), ["keyValue"] = contact, ["mode"] = 0,
            };
            return new HttpRequestMessage(HttpMethod.Post, $"{api}/actions/{action}/sfmc/execute")
            {
                Content = new StringContent(handler.CreateToken(payload.ToJsonString(), signing), Encoding.UTF8, "application/jwt"),
            };
        });
        var targets = new List<Target>
        {
            new("floor", _ => $"{reference.Url}/floor"), new("naive", _ => $"{reference.Url}/naive"), context.Intake(),
            Execute("sfmc", "bench-sfmc"), Execute("sfmc-rules", "bench-sfmc-split"), Execute("sfmc-lookup", "bench-sfmc-lookup"),
        };

        foreach (var target in targets)
            await Measurement.WarmUpAsync(context, target, Math.Min(rates[0], 100), warmup, sink.Url);
        var run = await Rounds.RunAsync(context, targets, rates, options.Integer("rounds", 1), duration, pause, sink.Url);
        var measured = run.Pooled;

        var reports = measured.Select(m => m.Report).ToList();
        var problems = IntakeCommand.Problems([.. reports]).ToList();
        problems.AddRange(reports.Where(r => r.Name.StartsWith("sfmc", StringComparison.Ordinal) && r.Errors > 0)
            .Select(r => $"{r.Name}: {r.Errors} executes were not answered 200 ({string.Join(", ", r.ByStatus.Select(s => $"{s.Key}: {s.Value}"))})"));
        var markdown = new StringBuilder(LatencyReport.MarkdownTable(reports)).Append('\n').Append(RatioTable(reports, run.Windows, rates)).Append('\n').Append(Rounds.WindowTable(run.Windows)).Append('\n').Append(ProcessCpu.Table(reports));
        var result = context.Result("sfmc", reports) with { Ratios = ComparisonCommand.Ratios(reports, rates), Problems = problems };
        await context.Results.WriteAsync(options.Get("name", "sfmc"), result, markdown.ToString(), measured.Select(m => (m.Report.Name, m.Histogram)), context.Out);
        foreach (var problem in problems)
            await context.Error.WriteLineAsync($"problem: {problem}");
        return problems.Count == 0 ? 0 : 1;
    }

    /// <summary>
    /// Each SFMC target's p99 over the B2B intake's and over the naive baseline's, per rate (target: at most 1.2 over the
    /// intake), pooled over the rounds and as the median of the rounds' own ratios (<see cref="Rounds"/>).
    /// </summary>
    public static string RatioTable(IReadOnlyList<LatencyReport> reports, IReadOnlyList<LatencyReport> windows, IEnumerable<double> rates)
    {
        var text = new StringBuilder("| rate req/s | target | p99 ÷ intake p99 | median of the rounds' p99 ÷ intake p99 | p99 ÷ naive p99 |\n|---|---|---|---|---|\n");
        foreach (var rate in rates)
        {
            LatencyReport Find(string name) => reports.Single(r => r.Name == $"{name}@{rate:0}");
            var (intake, naive) = (Find("intake"), Find("naive"));
            foreach (var name in new[] { "sfmc", "sfmc-rules", "sfmc-lookup" })
            {
                var r = Find(name);
                var median = Rounds.MedianRatio(windows, name, "intake", rate);
                text.AppendLine(CultureInfo.InvariantCulture, $"| {rate:0} | {name} | {r.P99Ms / Math.Max(intake.P99Ms, 0.001):0.00} | {median:0.00} | {r.P99Ms / Math.Max(naive.P99Ms, 0.001):0.00} |");
            }
        }
        return text.ToString();
    }
}
