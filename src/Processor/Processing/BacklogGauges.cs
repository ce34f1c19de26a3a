using System.Diagnostics.Metrics;
using ExternalAction.ServiceDefaults.Messaging;
using ExternalAction.Store;
using Microsoft.Extensions.Options;

namespace ExternalAction.Processor.Processing;

/// <summary>How far ahead a request counts as at risk of missing its deadline (<c>ExternalAction:Metrics</c>).</summary>
public sealed class BacklogOptions
{
    public const string Section = "ExternalAction:Metrics";

    /// <summary>An unfinished request whose deadline is at most this many minutes away is at risk.</summary>
    public int AtRiskMinutes { get; set; } = 15;

    /// <summary>How often the at-risk count and the queue depths are read (one query, one broker connection).</summary>
    public int RefreshSeconds { get; set; } = 15;
}

/// <summary>
/// The backlog as gauges (meter <c>ExternalAction.Processor</c>): unfinished requests at risk of missing their
/// deadline and the depth of each queue (the dead letters' among them). Read every <c>RefreshSeconds</c> in the
/// background, so a scrape never waits on the database or the broker; <see cref="Current"/> is what alerts read too.
/// </summary>
public sealed class BacklogGauges : BackgroundService
{
    private readonly StatusQueries _queries;
    private readonly QueueDepths _depths;
    private readonly BacklogOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<BacklogGauges> _logger;

    public BacklogGauges(StatusQueries queries, QueueDepths depths, IOptions<BacklogOptions> options, TimeProvider clock, IMeterFactory meters, ILogger<BacklogGauges> logger)
    {
        var meter = meters.Create(UnreadableMessages.MeterName);
        _queries = queries;
        _depths = depths;
        _options = options.Value;
        _clock = clock;
        _logger = logger;
        meter.CreateObservableGauge<long>("externalaction.requests.at_risk", () => Current.AtRisk is { } n ? [new Measurement<long>(n)] : [],
            description: "Unfinished requests whose deadline is within ExternalAction:Metrics:AtRiskMinutes.");
        meter.CreateObservableGauge<long>("externalaction.queue.depth",
            () => Current.Depths.Where(d => d.Messages is not null).Select(d => new Measurement<long>(d.Messages!.Value, new KeyValuePair<string, object?>("queue", d.Queue))),
            description: "Messages ready in each queue (RabbitMQ); externalaction-process_error holds the dead letters.");
    }

    public sealed record Snapshot(long? AtRisk, IReadOnlyList<(string Queue, uint? Messages)> Depths, DateTimeOffset? At);

    public Snapshot Current { get; private set; } = new(null, [], null);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(_options.RefreshSeconds), _clock);
        do
        {
            try
            {
                var now = _clock.GetUtcNow();
                var atRisk = await _queries.CountDeadlineBeforeAsync(now.AddMinutes(_options.AtRiskMinutes), stoppingToken);
                Current = new Snapshot(atRisk, await _depths.ReadAsync(stoppingToken), now);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _logger.LogWarning("Reading the backlog for metrics failed ({Error}); trying again in {Seconds} s.", e.GetType().Name, _options.RefreshSeconds);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
