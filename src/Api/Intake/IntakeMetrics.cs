using System.Diagnostics.Metrics;
using ExternalAction.Contracts.Messaging;

namespace ExternalAction.Api.Intake;

/// <summary>
/// Intake counts (meter <c>ExternalAction.Api</c>): accepted requests by contract and action (counted where the
/// publisher confirms, for every contract), rejected ones by contract and reason (the answer's status, on endpoints
/// marked with <see cref="CountedAsIntake"/>), and how long the broker took to confirm each publish. Tags are configured
/// names and fixed words only, never request data.
/// </summary>
public static class IntakeMetrics
{
    public const string MeterName = "ExternalAction.Api";
    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> Accepted = Meter.CreateCounter<long>("externalaction.intake.accepted",
        description: "Platform calls accepted and durably queued, by contract and action.");

    private static readonly Counter<long> Rejected = Meter.CreateCounter<long>("externalaction.intake.rejected",
        description: "Platform calls answered with an error, by contract and reason.");

    // Buckets from 1 ms to 5 s: the confirm of a healthy broker takes a few ms; its fsync stalls, tens to hundreds.
    private static readonly Histogram<double> PublishDuration = Meter.CreateHistogram<double>("externalaction.intake.publish.duration",
        unit: "s", description: "From the publish of an accepted call to the broker's confirm (or the failure), by outcome.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });

    /// <summary>Records one publish: <paramref name="outcome"/> is <c>confirmed</c> or <c>failed</c>.</summary>
    public static void RecordPublish(TimeSpan elapsed, string outcome) =>
        PublishDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("outcome", outcome));

    public static void CountAccepted(ActionAccepted message) =>
        Accepted.Add(1, new("contract", message.Contract), new("action", message.ActionName));

    /// <summary>Marks an intake endpoint of <paramref name="contract"/>: its error answers are counted as rejections.</summary>
    public static TBuilder CountedAsIntake<TBuilder>(this TBuilder builder, string contract) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new IntakeEndpoint(contract));

    /// <summary>Counts the error answers of intake endpoints, whatever produced them (authentication, validation, the broker).</summary>
    public static WebApplication UseIntakeMetrics(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            await next(context);
            if (context.Response.StatusCode >= 400 && context.GetEndpoint()?.Metadata.GetMetadata<IntakeEndpoint>() is { } intake)
                Rejected.Add(1, new("contract", intake.Contract), new("reason", Reason(context.Response.StatusCode)));
        });
        return app;
    }

    public static string Reason(int status) => status switch
    {
        400 => "invalid",
        401 => "unauthenticated",
        403 => "forbidden",
        404 => "not_found",
        413 => "too_large",
        415 => "unsupported_media_type",
        429 => "throttled",
        503 => "not_queued",
        >= 500 => "server_error",
        _ => "other",
    };

    public sealed record IntakeEndpoint(string Contract);
}
