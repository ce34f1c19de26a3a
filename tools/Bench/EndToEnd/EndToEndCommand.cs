using System.Globalization;
using System.Text;
using System.Text.Json;
using ExternalAction.Bench.Cli;
using ExternalAction.Bench.Load;
using ExternalAction.Bench.Reporting;
using HdrHistogram;

namespace ExternalAction.Bench.EndToEnd;

/// <summary>
/// <c>e2e</c>: open-loop load on our intake while this tool plays the platform's callback endpoint and an instant
/// channel. Measures request sent (intended time) → first callback received, then does the outcome accounting:
/// every request answered 200 needs a final state in the status table (<c>--pg</c>, or the support API with
/// <c>--support-key</c>) and exactly one callback. Exit code 1 when anything was lost or duplicated.
/// </summary>
internal static class EndToEndCommand
{
    public static async Task<int> RunAsync(BenchContext context)
    {
        var options = context.Options;
        var rate = options.Number("rate", 500, smoke: 20);
        var duration = options.Seconds("duration", 20, smoke: 2);
        var grace = options.Seconds("grace", 60, smoke: 20);
        var ledger = new CallbackLedger();
        var drills = new SinkDrills(options.Seconds("callback-fail-seconds", 0), options.Integer("channel-429-every", 0));
        await using var sink = await CallbackSink.StartAsync(context.SinkPort, ledger, drills);
        var target = context.Intake();
        var acknowledge = Acknowledger(ledger, context.Run);

        // Warm-up requests go all the way through and are accounted like the others, but give no latency sample; the
        // measured run starts once they are called back (or after 30 s), with the system idle and its code jitted.
        var warmup = options.Seconds("warmup", Measurement.WarmUpSeconds, smoke: 0);
        if (warmup > TimeSpan.Zero)
        {
            await Measurement.OpenLoopAsync(context, "warm-up", target, Math.Min(rate, 100), warmup, sink.Url,
                onSent: (body, due) => ledger.Sent(body.Token, due, measured: false), onResponse: acknowledge, firstIndex: Measurement.WarmUpIndex);
            var idle = DateTime.UtcNow.AddSeconds(30);
            while (ledger.AwaitingCallback > 0 && DateTime.UtcNow < idle)
                await Task.Delay(200);
        }

        var measured = await Measurement.OpenLoopAsync(context, $"intake-ack@{rate:0}", target, rate, duration, sink.Url,
            onSent: (body, due) => ledger.Sent(body.Token, due), onResponse: acknowledge,
            extraProgress: () => $"  called back {sink.EndToEnd.TotalCount}");

        var source = StatusSource(context);
        await context.Error.WriteLineAsync($"Waiting up to {grace.TotalSeconds:0} s for every acknowledged request to settle…");
        OutcomeSummary? latest = null;
        OutcomeSummary accounting;
        await using (new ProgressLine(context.Error, elapsed => latest is null ? "settling…"
            : $"[settling] {elapsed.TotalSeconds,5:0} s  acknowledged {latest.Acknowledged}  settled {latest.Settled}  awaiting {latest.Lost}  duplicated {latest.Duplicated}"))
        {
            accounting = await OutcomeAccounting.SettleAsync(ledger, source, grace, options.Seconds("late-duplicates", 3, smoke: 0.5), TimeSpan.FromSeconds(1),
                summary => latest = summary);
        }

        // A snapshot: callbacks still arriving after the grace (a backlog past it) keep recording into the sink's histogram,
        // and the report's plots enumerate it.
        LongHistogram endToEnd;
        lock (sink.EndToEnd)
            endToEnd = (LongHistogram)sink.EndToEnd.Copy();
        var e2e = LatencyReport.From($"end-to-end@{rate:0}", rate, measured.Load.Seconds, measured.Load.Sent, endToEnd,
            new Dictionary<string, long>(StringComparer.Ordinal) { ["callbacks"] = endToEnd.TotalCount });
        var maxDuplicates = options.Integer("max-duplicates", 0);
        var problems = Problems(accounting);
        var markdown = LatencyReport.MarkdownTable([measured.Report, e2e]) + "\n" + AccountingTable(accounting, grace, sink) + Verdict(accounting, maxDuplicates);
        var result = context.Result("e2e", [measured.Report, e2e]) with { Accounting = accounting, Problems = problems };
        await context.Results.WriteAsync(options.Get("name", "e2e"), result, markdown,
            [(measured.Report.Name, measured.Histogram), (e2e.Name, endToEnd)], context.Out);
        await context.Out.WriteLineAsync($"lost={accounting.Lost} duplicated={accounting.Duplicated}");
        // A drill that kills the Processor may allow the documented crash window's duplicates (--max-duplicates).
        var passed = accounting.Acknowledged > 0 && accounting.Lost == 0 && accounting.RequestIdMismatches == 0
            && accounting.Duplicated <= maxDuplicates;
        return passed ? 0 : 1;
    }

    /// <summary>Reads each answer of a run: a 200's request id goes into the ledger under its body's token.</summary>
    internal static Func<long, HttpResponseMessage, Task> Acknowledger(CallbackLedger ledger, string run) => async (index, response) =>
    {
        if (response.IsSuccessStatusCode && await RequestIdAsync(response) is { } requestId)
            ledger.Acknowledged(Bodies.Token(run, index), requestId);
    };

    internal static async Task<string?> RequestIdAsync(HttpResponseMessage response)
    {
        try
        {
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return body.RootElement.TryGetProperty("requestId", out var id) ? id.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    internal static IStatusSource? StatusSource(BenchContext context)
    {
        if (context.Options.TryGet("pg", out var pg))
            return new PostgresStatusSource(pg);
        if (context.Options.TryGet("support-key", out var key))
            return new SupportApiStatusSource(context.Http, context.ApiBase, key);
        return null;
    }

    public static IReadOnlyList<string> Problems(OutcomeSummary accounting)
    {
        var problems = new List<string>();
        if (accounting.Acknowledged == 0)
            problems.Add("no request was answered 200");
        if (accounting.Lost > 0)
            problems.Add($"{accounting.Lost} lost: {string.Join(", ", accounting.LostBy.Select(l => $"{l.Value} {l.Key}"))}");
        if (accounting.Duplicated > 0)
            problems.Add($"{accounting.Duplicated} requests got more than one callback ({accounting.ExtraCallbacks} extra)");
        if (accounting.RequestIdMismatches > 0)
            problems.Add($"{accounting.RequestIdMismatches} callbacks carried another request's X-Request-Id");
        return problems;
    }

    public static string AccountingTable(OutcomeSummary a, TimeSpan grace, CallbackSink? sink = null)
    {
        var text = new StringBuilder("| accounting | count |\n|---|---|\n");
        void Row(string name, long value) => text.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {value} |");
        Row("answered 200 (acknowledged)", a.Acknowledged);
        Row("settled (final state and one callback, or a documented failure state)", a.Settled);
        Row($"**lost** (no outcome {grace.TotalSeconds:0} s after the run)", a.Lost);
        foreach (var (reason, count) in a.LostBy.OrderBy(l => l.Key, StringComparer.Ordinal))
            Row($"  lost: {reason}", count);
        Row("**duplicated** (requests with more than one callback)", a.Duplicated);
        Row("extra callback copies", a.ExtraCallbacks);
        Row("callbacks reporting success=false", a.ReportedFailures);
        Row("callbacks with another request's X-Request-Id", a.RequestIdMismatches);
        Row("called back but not answered 200 (e.g. 503)", a.CallbacksForUnacknowledged);
        Row("callbacks with an unknown token", a.UnknownTokenCallbacks);
        if (sink is not null)
        {
            Row("callbacks refused by the drill (500)", sink.Refused);
            Row("channel deliveries", sink.ChannelCalls);
        }
        if (a.StatusChecked)
        {
            foreach (var (state, count) in a.States.OrderBy(s => s.Key, StringComparer.Ordinal))
                Row($"status table: {state}", count);
        }
        else
        {
            text.AppendLine("| status table | not checked (give --pg or --support-key) |");
        }
        return text.ToString();
    }

    private static string Verdict(OutcomeSummary a, int maxDuplicates)
    {
        var allowance = a.Duplicated > 0 && a.Duplicated <= maxDuplicates
            ? $" The duplicates are within the allowance of this drill (--max-duplicates {maxDuplicates}: the documented crash window)."
            : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"\n{(a.Clean ? "Accounting clean" : "**Accounting NOT clean**")}: {a.Lost} lost, {a.Duplicated} duplicated of {a.Acknowledged} acknowledged.{allowance}\n");
    }
}
