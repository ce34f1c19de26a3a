using ExternalAction.Bench.Cli;
using ExternalAction.Bench.EndToEnd;
using ExternalAction.Bench.Reporting;

namespace ExternalAction.Bench.Intake;

/// <summary>
/// <c>intake</c>: open-loop load on our intake at one fixed rate for a duration. Latency from each request's intended
/// send time, HdrHistogram percentiles, answers by status code. The sink runs so a Processor's callbacks have
/// somewhere to go.
/// </summary>
internal static class IntakeCommand
{
    public static async Task<int> RunAsync(BenchContext context)
    {
        var options = context.Options;
        var rate = options.Number("rate", 1000, smoke: 50);
        var duration = options.Seconds("duration", 10, smoke: 2);
        var target = context.Intake();
        await using var sink = await CallbackSink.StartAsync(context.SinkPort, new CallbackLedger());
        await Measurement.WarmUpAsync(context, target, Math.Min(rate, 100), options.Seconds("warmup", Measurement.WarmUpSeconds, smoke: 0.5), sink.Url);
        var measured = await Measurement.OpenLoopAsync(context, $"intake@{rate:0}", target, rate, duration, sink.Url);
        var name = options.Get("name", "intake");
        var result = context.Result("intake", [measured.Report]) with { Problems = Problems(measured.Report) };
        await context.Results.WriteAsync(name, result, LatencyReport.MarkdownTable([measured.Report]), [(measured.Report.Name, measured.Histogram)], context.Out);
        return result.Problems.Count == 0 ? 0 : 1;
    }

    /// <summary>A run in which nothing was answered 2xx measured nothing useful.</summary>
    public static IReadOnlyList<string> Problems(params LatencyReport[] reports) =>
        reports.Where(r => r.Sent > 0 && r.Errors == r.Sent).Select(r => $"{r.Name}: no request was answered 2xx").ToList();
}
