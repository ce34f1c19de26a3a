using System.Data.Common;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace ExternalAction.Processor.Processing;

/// <summary>
/// Makes an outage of the status store (the database restarting, unreachable, refusing connections) a wait instead of
/// a failure. Every store call of an attempt runs through one shared Polly pipeline: a circuit breaker that, once the
/// database stops answering, lets one probe through per second instead of every consumer slot hammering it, inside a
/// retry with backoff, inside a total budget of <see cref="ProcessorOptions.StoreOutageWaitSeconds"/>. While it waits
/// the attempt keeps its consumer slot, so consumption pauses by itself (no new message is taken while every slot
/// waits) and an attempt that had already delivered records its outcome as soon as the database is back instead of
/// delivering again. Past the budget it throws <see cref="StoreUnavailableException"/> and
/// <see cref="StoreOutageRedelivery"/> puts the message back on the broker for later. Errors that are not outages
/// (a constraint, a bug) pass straight through.
/// </summary>
public sealed class StoreOutage
{
    private readonly ResiliencePipeline _pipeline;
    private readonly TimeSpan _budget;
    private int _down;

    public StoreOutage(IOptions<ProcessorOptions> options, TimeProvider clock, ILogger<StoreOutage> logger)
    {
        _budget = TimeSpan.FromSeconds(options.Value.StoreOutageWaitSeconds);
        var outage = new PredicateBuilder().Handle<Exception>(IsOutage);
        _pipeline = new ResiliencePipelineBuilder { TimeProvider = clock }
            .AddTimeout(new TimeoutStrategyOptions { Timeout = _budget })
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(e => IsOutage(e) || e is BrokenCircuitException),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                Delay = TimeSpan.FromMilliseconds(100),
                MaxDelay = TimeSpan.FromSeconds(1),
                UseJitter = true,
            })
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                ShouldHandle = outage,
                FailureRatio = 0.5,
                MinimumThroughput = 4,
                SamplingDuration = TimeSpan.FromSeconds(5),
                BreakDuration = TimeSpan.FromSeconds(1),
                // Half-open probes that fail open it again every second: said once per outage, not once per probe; the
                // resumption at the same level, so a log kept at Warning shows both ends of the pause.
                OnOpened = args =>
                {
                    if (Interlocked.Exchange(ref _down, 1) == 0)
                        logger.LogWarning("The status store is unavailable ({Error}); processing waits for it (each attempt up to {Seconds} s, then its message comes back later).",
                        Describe(args.Outcome.Exception), _budget.TotalSeconds);
                    return ValueTask.CompletedTask;
                },
                OnClosed = _ =>
                {
                    if (Interlocked.Exchange(ref _down, 0) == 1)
                        logger.LogWarning("The status store answers again; processing resumes.");
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    /// <summary>Runs one store call, waiting out an outage within the budget; past it, <see cref="StoreUnavailableException"/>.</summary>
    public async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken ct)
    {
        try
        {
            return await _pipeline.ExecuteAsync(async token => await call(token), ct);
        }
        catch (Exception e) when (e is TimeoutRejectedException or BrokenCircuitException || (IsOutage(e) && !ct.IsCancellationRequested))
        {
            throw new StoreUnavailableException(_budget, Describe(e));
        }
    }

    public Task RunAsync(Func<CancellationToken, Task> call, CancellationToken ct) =>
        RunAsync(async token =>
        {
            await call(token);
            return true;
        }, ct);

    /// <summary>
    /// Whether <paramref name="exception"/> means the database is not there (rather than that this statement is wrong):
    /// what the provider marks transient, and the SQLSTATE classes of a lost connection (08), a server shutting down or
    /// starting up (57P) and exhausted resources (53).
    /// </summary>
    public static bool IsOutage(Exception exception) => exception switch
    {
        StoreUnavailableException => true,
        DbException { IsTransient: true } => true,
        DbException { SqlState: { Length: 5 } state } => state.StartsWith("08", StringComparison.Ordinal)
            || state.StartsWith("57P", StringComparison.Ordinal) || state.StartsWith("53", StringComparison.Ordinal),
        _ => false,
    };

    private static string Describe(Exception? e) => e is DbException { SqlState: { } state } ? $"{e.GetType().Name} {state}" : e?.GetType().Name ?? "no answer";
}

/// <summary>
/// The status store stayed unavailable for a whole wait budget; the message is to come back later, not to fail. It
/// carries no inner exception on purpose: the budget's timeout is a cancellation at heart, and MassTransit turns an
/// exception whose innermost cause is a cancellation into <c>ConsumerCanceledException</c>, hiding it from
/// <see cref="StoreOutageRedelivery"/>.
/// </summary>
public sealed class StoreUnavailableException(TimeSpan waited, string cause)
    : Exception($"The status store did not answer within {waited.TotalSeconds:0.#} s ({cause}).");
