using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ExternalAction.Store.Retention;

/// <summary>
/// Runs the status table's retention purge (<see cref="StatusStore.PurgeAsync"/>) every
/// <see cref="RetentionOptions.IntervalMinutes"/> in the host that processes requests. Any number of Processors may
/// run it at once: batches another one holds are skipped and a repeated purge changes nothing.
/// </summary>
public sealed class RetentionPurge(StatusStore store, IOptions<RetentionOptions> options, TimeProvider clock, ILogger<RetentionPurge> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            logger.LogInformation("Retention purge off ({Section}:PayloadDays and :RowDays are 0): the status table keeps every row and payload.", RetentionOptions.Section);
            return;
        }
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(settings.IntervalMinutes), clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
            await RunOnceAsync(stoppingToken);
    }

    /// <summary>One purge with the cut-offs as of now; a failure is logged and left to the next interval (the purge is idempotent).</summary>
    public async Task<PurgeResult?> RunOnceAsync(CancellationToken ct)
    {
        var settings = options.Value;
        var now = clock.GetUtcNow();
        DateTimeOffset? clearBefore = settings.PayloadDays > 0 ? now.AddDays(-settings.PayloadDays) : null;
        DateTimeOffset? deleteBefore = settings.RowDays > 0 ? now.AddDays(-settings.RowDays) : null;
        var started = Stopwatch.GetTimestamp();
        try
        {
            var result = await store.PurgeAsync(clearBefore, deleteBefore, settings.BatchSize, ct);
            logger.LogInformation(
                "Retention purge: cleared the payloads of {PayloadsCleared} final requests received before {ClearBefore}, deleted {RowsDeleted} final requests (and {TransitionsDeleted} history entries) received before {DeleteBefore}, in {ElapsedMs} ms.",
                result.PayloadsCleared, clearBefore?.ToString("O") ?? "(off)", result.RowsDeleted, result.TransitionsDeleted, deleteBefore?.ToString("O") ?? "(off)",
                (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return result;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Retention purge failed ({Error}); the next one runs in {Minutes} minutes.", e.GetType().Name, settings.IntervalMinutes);
            return null;
        }
    }
}

/// <summary>Registration of the purge, for the host that runs the Processor (its own process, or the Api in the embedded default).</summary>
public static class RetentionServiceCollectionExtensions
{
    public static IServiceCollection AddStatusRetention(this IServiceCollection services)
    {
        // The embedded default may reach this twice (Api and Processor registrations): one purge is enough.
        if (services.Any(d => d.ServiceType == typeof(RetentionPurge)))
            return services;
        services.AddStatusStore();
        services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.Section)
            .Validate(o => o.PayloadDays >= 0, $"{RetentionOptions.Section}:PayloadDays must be 0 (off) or a number of days.")
            .Validate(o => o.RowDays >= 0, $"{RetentionOptions.Section}:RowDays must be 0 (off) or a number of days.")
            .Validate(o => o.IntervalMinutes >= 1, $"{RetentionOptions.Section}:IntervalMinutes must be at least 1.")
            .Validate(o => o.BatchSize is >= 1 and <= RetentionOptions.MaxBatchSize, $"{RetentionOptions.Section}:BatchSize must be between 1 and {RetentionOptions.MaxBatchSize}.")
            .ValidateOnStart();
        services.AddSingleton<RetentionPurge>();
        services.AddHostedService(sp => sp.GetRequiredService<RetentionPurge>());
        return services;
    }
}
