using System.Diagnostics.Metrics;
using ExternalAction.Processor.Outbound;

namespace ExternalAction.Processor.Processing;

/// <summary>
/// What the Processor counts and times (meter <c>ExternalAction.Processor</c>, scraped at <c>/metrics</c>): outcomes
/// by action and final status, delivery and report attempts by result, retries, dead letters, and the latency of
/// deliveries and reports. Tags are configured names and fixed words, never request data.
/// </summary>
public static class ProcessorMetrics
{
    private static readonly Meter Meter = new(UnreadableMessages.MeterName);

    private static readonly Counter<long> Outcomes = Meter.CreateCounter<long>("externalaction.outcomes",
        description: "Requests that reached a final status, by action, contract and status.");

    private static readonly Counter<long> Attempts = Meter.CreateCounter<long>("externalaction.attempts",
        description: "Outbound attempts by action, step (delivery or report) and result (success, transient, permanent).");

    private static readonly Counter<long> Retries = Meter.CreateCounter<long>("externalaction.retries",
        description: "Requests rescheduled after a transient failure, by action.");

    private static readonly Counter<long> DeadLetters = Meter.CreateCounter<long>("externalaction.dead_letters",
        description: "Requests that ended without word to the platform, their message sent to the _error queue, by action and status.");

    private static readonly Histogram<double> DeliveryDuration = Meter.CreateHistogram<double>("externalaction.delivery.duration", unit: "ms",
        description: "Time of one channel delivery attempt, by action and result.");

    private static readonly Histogram<double> ReportDuration = Meter.CreateHistogram<double>("externalaction.report.duration", unit: "ms",
        description: "Time of one outcome report attempt (B2B: the callback), by action, contract and result.");

    public static void Delivered(string action, OutboundResult result)
    {
        var outcome = Result(result);
        Attempts.Add(1, new("action", action), new("step", "delivery"), new("result", outcome));
        DeliveryDuration.Record(result.Duration.TotalMilliseconds, new("action", action), new("result", outcome));
    }

    public static void Reported(string action, string contract, OutboundResult result)
    {
        var outcome = Result(result);
        Attempts.Add(1, new("action", action), new("step", "report"), new("result", outcome));
        ReportDuration.Record(result.Duration.TotalMilliseconds, new("action", action), new("contract", contract), new("result", outcome));
    }

    public static void Rescheduled(string action) => Retries.Add(1, new KeyValuePair<string, object?>("action", action));

    public static void Final(string action, string contract, string status) =>
        Outcomes.Add(1, new("action", action), new("contract", contract), new("status", status));

    public static void DeadLettered(string action, string status) => DeadLetters.Add(1, new("action", action), new("status", status));

    private static string Result(OutboundResult result) => result.Failure switch
    {
        FailureKind.None => "success",
        FailureKind.Transient => "transient",
        _ => "permanent",
    };
}
