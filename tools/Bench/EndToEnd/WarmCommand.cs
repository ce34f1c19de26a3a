using System.Globalization;
using System.Text;
using System.Text.Json;
using ExternalAction.Bench.Cli;
using ExternalAction.Bench.Reporting;

namespace ExternalAction.Bench.EndToEnd;

/// <summary>
/// <c>warm</c>: end-to-end load at a modest rate until the hosts' tiered JIT falls quiet, so the measurement that follows
/// sees the steady state. It sends in windows of <c>--window</c> seconds and, after each, reads the CPU of each listed
/// process's tiered compilation worker (<see cref="TieredJit"/>); it stops after <c>--quiet-windows</c> windows in a
/// row in which every process's worker used under <c>--quiet-ms</c> milliseconds of CPU per second, or at <c>--max</c>
/// seconds, then waits for its requests' callbacks. Writes <c>warm.json</c> and <c>warm.md</c> (each window's figures).
/// Exit code 1 when the JIT did not fall quiet in time or a request was not called back.
/// </summary>
internal static class WarmCommand
{
    internal sealed record Window(double AtSeconds, long Sent, IReadOnlyDictionary<string, double> JitMsPerSecond);

    internal sealed record WarmReport(double Rate, double WindowSeconds, double QuietMsPerSecond, int QuietWindows, bool Quiet,
        double Seconds, IReadOnlyDictionary<string, double> JitCpuSeconds, long Sent, long Acknowledged, long CalledBack, int Awaiting,
        IReadOnlyList<Window> Windows);

    public static async Task<int> RunAsync(BenchContext context)
    {
        var options = context.Options;
        var rate = options.Number("rate", 100, smoke: 20);
        var window = options.Seconds("window", 5, smoke: 1);
        var quietMs = options.Number("quiet-ms", 10);
        var quietWindows = Math.Max(1, options.Integer("quiet-windows", 2));
        var max = options.Seconds("max", 300, smoke: 4);
        var grace = options.Seconds("grace", 60, smoke: 20);
        var jits = ProcessCpu.Parse(options.Require("jit")).Pids.ToDictionary(p => p.Key, p => new TieredJit(p.Value), StringComparer.Ordinal);
        foreach (var (name, jit) in jits)
        {
            if (!jit.Alive)
                throw new ArgumentException($"--jit {name}={jit.Pid}: no such process.");
            jit.Since(); // from here on
        }

        var ledger = new CallbackLedger();
        await using var sink = await CallbackSink.StartAsync(context.SinkPort, ledger);
        var target = context.Intake();

        var windows = new List<Window>();
        var totals = jits.Keys.ToDictionary(k => k, _ => 0.0, StringComparer.Ordinal);
        var started = DateTime.UtcNow;
        long sent = 0;
        var quietInARow = 0;
        while (quietInARow < quietWindows && DateTime.UtcNow - started < max)
        {
            var run = await Measurement.OpenLoopAsync(context, "warm-up", target, rate, window, sink.Url,
                onSent: (body, due) => ledger.Sent(body.Token, due, measured: false), onResponse: EndToEndCommand.Acknowledger(ledger, context.Run),
                firstIndex: Measurement.WarmUpIndex + sent);
            sent += run.Load.Sent;
            var seconds = Math.Max(run.Load.Seconds, 0.001);
            var perSecond = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var (name, jit) in jits)
            {
                var used = jit.Since().TotalMilliseconds;
                totals[name] += used / 1000;
                perSecond[name] = used / seconds;
            }
            var at = (DateTime.UtcNow - started).TotalSeconds;
            windows.Add(new Window(Math.Round(at, 1), run.Load.Sent, perSecond));
            quietInARow = perSecond.Values.All(ms => ms < quietMs) ? quietInARow + 1 : 0;
            await context.Error.WriteLineAsync($"[warm] {at,5:0} s  tiered JIT ms of CPU per second: "
                + string.Join("  ", perSecond.Select(p => $"{p.Key} {p.Value:0}")) + (quietInARow > 0 ? $"  (quiet {quietInARow}/{quietWindows})" : ""));
        }
        var quiet = quietInARow >= quietWindows;
        var elapsed = (DateTime.UtcNow - started).TotalSeconds;

        // Its requests are called back before the measurement starts, so none of them lands in its numbers.
        var until = DateTime.UtcNow + grace;
        while (ledger.AwaitingCallback > 0 && DateTime.UtcNow < until)
            await Task.Delay(200);

        var report = new WarmReport(rate, window.TotalSeconds, quietMs, quietWindows, quiet, Math.Round(elapsed, 1), totals, sent,
            ledger.AcknowledgedCount, ledger.CalledBackCount, ledger.AwaitingCallback, windows);
        var file = options.Get("name", "warm");
        var folder = context.Results.Folder;
        await File.WriteAllTextAsync(Path.Combine(folder, $"{file}.json"), JsonSerializer.Serialize(report, ResultFiles.Json));
        var markdown = Markdown(report);
        await File.WriteAllTextAsync(Path.Combine(folder, $"{file}.md"), markdown);
        await context.Out.WriteLineAsync(markdown);
        return quiet && report.Awaiting == 0 ? 0 : 1;
    }

    internal static string Markdown(WarmReport report)
    {
        var names = report.JitCpuSeconds.Keys.ToList();
        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"Warm-up at {report.Rate:0} req/s: ")
            .Append(report.Quiet
                ? $"the tiered JIT was quiet (every process under {report.QuietMsPerSecond:0} ms of CPU per second for {report.QuietWindows} windows of {report.WindowSeconds:0} s) after **{report.Seconds:0} s**"
                : $"the tiered JIT was **not** quiet after {report.Seconds:0} s")
            .Append(CultureInfo.InvariantCulture, $"; its CPU: {string.Join(", ", report.JitCpuSeconds.Select(p => $"{p.Key} {p.Value:0.0} s"))}. ")
            .Append(CultureInfo.InvariantCulture, $"{report.Sent} sent, {report.Acknowledged} acknowledged, {report.CalledBack} called back, {report.Awaiting} awaiting.\n\n")
            .Append("| at s | sent | " + string.Join(" | ", names.Select(n => $"{n} JIT ms/s")) + " |\n|---|---|" + string.Concat(names.Select(_ => "---|")) + "\n");
        foreach (var w in report.Windows)
            text.Append(CultureInfo.InvariantCulture, $"| {w.AtSeconds:0.0} | {w.Sent} | ")
                .Append(string.Join(" | ", names.Select(n => w.JitMsPerSecond[n].ToString("0", CultureInfo.InvariantCulture)))).Append(" |\n");
        return text.ToString();
    }
}
