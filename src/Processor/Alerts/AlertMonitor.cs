using ExternalAction.Processor.Processing;
using ExternalAction.Store;
using Microsoft.Extensions.Options;

namespace ExternalAction.Processor.Alerts;

/// <summary>
/// Checks the alert conditions every <see cref="AlertOptions.CheckSeconds"/>: requests at risk of missing their
/// deadline (the <see cref="BacklogGauges"/> count) and requests dead-lettered since the last check (from the status
/// table, so every Processor sees the same number; each instance alerts at most once per interval).
/// </summary>
public sealed class AlertMonitor(AlertSender sender, BacklogGauges backlog, StatusQueries queries, IOptions<AlertOptions> options,
    TimeProvider clock, ILogger<AlertMonitor> logger) : BackgroundService
{
    public const string AtRisk = "at-risk";
    public const string DeadLetters = "dead-letters";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (!o.Enabled)
            return;
        var since = clock.GetUtcNow();
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(o.CheckSeconds), clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var now = clock.GetUtcNow();
                var deadLettered = await queries.CountEndedSinceAsync(since, stoppingToken);
                var conditions = new List<AlertCondition>
                {
                    new(DeadLetters, "requests dead-lettered (Failed or TimedOut) since the last check", deadLettered, o.DeadLetterThreshold),
                };
                if (backlog.Current.AtRisk is { } atRisk)
                    conditions.Add(new(AtRisk, "unfinished requests close to their deadline", atRisk, o.AtRiskThreshold));
                await sender.CheckAsync(conditions, stoppingToken);
                since = now;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning("Checking the alert conditions failed ({Error}).", e.GetType().Name);
            }
        }
    }
}
