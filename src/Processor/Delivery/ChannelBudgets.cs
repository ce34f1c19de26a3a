using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using ExternalAction.Actions;

namespace ExternalAction.Processor.Delivery;

/// <summary>
/// Per-channel concurrency and rate budgets, per Processor instance: N instances send at most N × the configured
/// rate (documented). A 429 pauses the channel until its Retry-After, so the other deliveries on that channel wait
/// instead of piling more 429s on the provider.
/// </summary>
public sealed class ChannelBudgets(TimeProvider clock)
{
    private static readonly TimeSpan MaxPause = TimeSpan.FromMinutes(5);
    private readonly ConcurrentDictionary<string, Budget> _budgets = new(StringComparer.Ordinal);

    public async ValueTask<IDisposable> AcquireAsync(ActionDefinition action, CancellationToken ct)
    {
        var budget = _budgets.GetOrAdd(action.Name, _ => new Budget(action.Channel));
        while (budget.PausedUntil is { } until && until > clock.GetUtcNow())
            await Task.Delay(until - clock.GetUtcNow(), ct);
        await budget.Concurrency.WaitAsync(ct);
        try
        {
            if (budget.Rate is { } rate)
            {
                using var lease = await rate.AcquireAsync(1, ct);
                if (!lease.IsAcquired)
                    throw new InvalidOperationException($"The rate budget of channel '{action.Name}' has no queue room.");
            }
        }
        catch
        {
            budget.Concurrency.Release();
            throw;
        }
        return new Slot(budget.Concurrency);
    }

    public void Pause(ActionDefinition action, TimeSpan duration)
    {
        var budget = _budgets.GetOrAdd(action.Name, _ => new Budget(action.Channel));
        var until = clock.GetUtcNow() + (duration > MaxPause ? MaxPause : duration);
        if (budget.PausedUntil is null || until > budget.PausedUntil)
            budget.PausedUntil = until;
    }

    public DateTimeOffset? PausedUntil(ActionDefinition action) =>
        _budgets.TryGetValue(action.Name, out var budget) && budget.PausedUntil > clock.GetUtcNow() ? budget.PausedUntil : null;

    private sealed class Budget(ChannelDefinition channel)
    {
        public SemaphoreSlim Concurrency { get; } = new(channel.MaxConcurrency, channel.MaxConcurrency);

        public TokenBucketRateLimiter? Rate { get; } = channel.RatePerSecond > 0
            ? new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
            {
                TokenLimit = Math.Max(1, (int)Math.Ceiling(channel.RatePerSecond)),
                TokensPerPeriod = Math.Max(1, (int)Math.Ceiling(channel.RatePerSecond / 10)),
                ReplenishmentPeriod = TimeSpan.FromSeconds(Math.Max(1, (int)Math.Ceiling(channel.RatePerSecond / 10)) / channel.RatePerSecond),
                QueueLimit = 100_000,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                AutoReplenishment = true,
            })
            : null;

        public DateTimeOffset? PausedUntil { get; set; }
    }

    private sealed class Slot(SemaphoreSlim semaphore) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
                semaphore.Release();
        }
    }
}
