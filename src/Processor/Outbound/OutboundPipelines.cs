using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using ExternalAction.Actions;
using ExternalAction.ServiceDefaults.Messaging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.RateLimiting;
using Polly.Registry;

namespace ExternalAction.Processor.Outbound;

/// <summary>
/// The Polly resilience pipelines of outbound calls, from one <see cref="ResiliencePipelineRegistry{TKey}"/>: one per
/// channel (per action) and one that every callback shares. Outer to inner: a circuit that a 429 opens for its
/// <c>Retry-After</c> (<see cref="DefaultPause"/> without one, at most <see cref="MaxPause"/>), the channel's
/// <c>maxConcurrency</c> and <c>ratePerSecond</c> budgets (channels only; per Processor instance), and the attempt's
/// timeout. There is no retry: durable retries stay in the broker. An attempt the pipeline refuses (circuit open, a
/// budget's queue full) comes back at once as a transient result with a <see cref="OutboundResult.RetryAfter"/>, so the
/// request is rescheduled durably instead of holding a consumer slot.
/// </summary>
public sealed class OutboundPipelines(
    ResiliencePipelineRegistry<string> registry,
    TimeProvider clock,
    IOptions<OutboundOptions> options,
    IOptions<MessagingOptions> messaging)
{
    public const string CallbacksKey = "callbacks";
    public static readonly TimeSpan DefaultPause = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan MaxPause = TimeSpan.FromMinutes(5);

    /// <summary>After a pause one probe goes out; the attempts meanwhile are told to come back after this long.</summary>
    public static readonly TimeSpan ProbeWindow = TimeSpan.FromSeconds(1);

    private static readonly ResiliencePropertyKey<OutboundResult> LastResult = new("ExternalAction.LastResult");
    private static readonly ResiliencePropertyKey<long> StartedAt = new("ExternalAction.StartedAt");
    private static readonly ResiliencePropertyKey<bool> Opened = new("ExternalAction.Opened");
    private readonly ConcurrentDictionary<string, DateTimeOffset> _pausedUntil = new(StringComparer.Ordinal);

    /// <summary>One pipeline per channel: the action's, or each route's of its delivery rules.</summary>
    public static string ChannelKey(ActionDefinition action) => "channel:" + action.Name + (action.RouteName is { } route ? "/" + route : "");

    /// <summary>The pipeline of <paramref name="action"/>'s channel, built from its settings when first used.</summary>
    public OutboundPipeline Channel(ActionDefinition action)
    {
        var key = ChannelKey(action);
        if (!registry.TryGetPipeline<OutboundResult>(key, out var pipeline))
        {
            pipeline = registry.GetOrAddPipeline<OutboundResult>(key, (builder, context) =>
            {
                var channel = action.Channel;
                // Every waiting attempt holds a consumer slot, so no queue needs more places than there are slots.
                var queue = Math.Max(1, messaging.Value.ConcurrentMessageLimit);
                builder.AddPipeline(Circuit(key)).AddConcurrencyLimiter(channel.MaxConcurrency, queue);
                if (channel.RatePerSecond > 0)
                {
                    var rate = RateBudget(channel.RatePerSecond, queue);
                    context.OnPipelineDisposed(rate.Dispose);
                    builder.AddRateLimiter(rate);
                }
                builder.AddTimeout(TimeSpan.FromSeconds(channel.TimeoutSeconds));
            });
        }
        return new OutboundPipeline(this, key, pipeline);
    }

    /// <summary>The one pipeline of every callback: the platform's pause and each attempt's <paramref name="timeout"/>.</summary>
    public OutboundPipeline Callbacks(TimeSpan timeout)
    {
        if (!registry.TryGetPipeline<OutboundResult>(CallbacksKey, out var pipeline))
            pipeline = registry.GetOrAddPipeline<OutboundResult>(CallbacksKey, (builder, _) => builder.AddPipeline(Circuit(CallbacksKey)).AddTimeout(timeout));
        return new OutboundPipeline(this, CallbacksKey, pipeline);
    }

    /// <summary>
    /// The pipeline of an outcome report that is not the B2B callback, one per <paramref name="key"/> (SFMC's Data Extension
    /// write-back <c>report:sfmc</c>, an AJO status webhook <c>report:ajo-status:&lt;action&gt;</c>): a circuit of its own,
    /// so a 429 from that receiver pauses its reports only (never the callbacks), and each attempt's <paramref name="timeout"/>.
    /// </summary>
    public OutboundPipeline Reports(string key, TimeSpan timeout)
    {
        if (!registry.TryGetPipeline<OutboundResult>(key, out var pipeline))
            pipeline = registry.GetOrAddPipeline<OutboundResult>(key, (builder, _) => builder.AddPipeline(Circuit(key)).AddTimeout(timeout));
        return new OutboundPipeline(this, key, pipeline);
    }

    /// <summary>Until when the circuit of <paramref name="key"/> is open after a 429, or null when it is not.</summary>
    public DateTimeOffset? PausedUntil(string key) =>
        _pausedUntil.TryGetValue(key, out var until) && until > clock.GetUtcNow() ? until : null;

    public DateTimeOffset? PausedUntil(ActionDefinition action) => PausedUntil(ChannelKey(action));

    /// <summary>Runs one attempt through <paramref name="pipeline"/> and turns whatever comes back into a result.</summary>
    internal async Task<OutboundResult> ExecuteAsync(string key, ResiliencePipeline<OutboundResult> pipeline, Func<CancellationToken, Task<OutboundResult>> attempt, CancellationToken ct)
    {
        var context = ResilienceContextPool.Shared.Get(ct);
        try
        {
            var outcome = await pipeline.ExecuteOutcomeAsync(static async (context, state) =>
            {
                context.Properties.Set(StartedAt, state.clock.GetTimestamp());
                try
                {
                    var result = await state.attempt(context.CancellationToken);
                    context.Properties.Set(LastResult, result);
                    return Outcome.FromResult(result);
                }
                catch (Exception e)
                {
                    return Outcome.FromException<OutboundResult>(e);
                }
            }, context, (attempt, clock));

            var duration = context.Properties.TryGetValue(StartedAt, out var started) ? clock.GetElapsedTime(started) : TimeSpan.Zero;
            if (outcome.Exception is { } exception)
            {
                if (ct.IsCancellationRequested || !HttpOutcome.IsSendFailure(exception))
                    outcome.ThrowIfException();
                return (Refused(key, exception) ?? HttpOutcome.FromException(exception)) with { Duration = duration };
            }

            var answer = outcome.Result! with { Duration = duration };
            if (answer.StatusCode == 429 && !context.Properties.TryGetValue(Opened, out _))
                await ReportAgainAsync(key, answer);
            return answer;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>
    /// The circuit of <paramref name="key"/>: a 429 opens it. Polly opens a circuit only once it has seen at least two
    /// outcomes in its sampling window (<see cref="CircuitBreakerStrategyOptions{TResult}.MinimumThroughput"/>), so a
    /// ratio of 0 makes every 429 count from the second outcome on, and a 429 that was the window's first outcome is
    /// reported to the circuit once more (<see cref="ReportAgainAsync"/>).
    /// </summary>
    private ResiliencePipeline<OutboundResult> Circuit(string key) =>
        registry.GetOrAddPipeline<OutboundResult>(key + "/pause", (builder, _) => builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions<OutboundResult>
        {
            Name = "pause-on-429",
            FailureRatio = 0,
            MinimumThroughput = 2,
            BreakDuration = ProbeWindow,
            ShouldHandle = static args => ValueTask.FromResult(args.Outcome.Result?.StatusCode == 429),
            BreakDurationGenerator = static args => ValueTask.FromResult(Pause(args.Context)),
            OnOpened = args =>
            {
                _pausedUntil[key] = clock.GetUtcNow() + args.BreakDuration;
                return ValueTask.CompletedTask;
            },
            OnClosed = _ =>
            {
                _pausedUntil.TryRemove(key, out var _);
                return ValueTask.CompletedTask;
            },
        }));

    /// <summary>How long the 429 in <paramref name="context"/> pauses the circuit: its Retry-After, within bounds.</summary>
    private static TimeSpan Pause(ResilienceContext context)
    {
        context.Properties.Set(Opened, true);
        var wait = context.Properties.TryGetValue(LastResult, out var result) ? result.RetryAfter ?? DefaultPause : DefaultPause;
        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait > MaxPause ? MaxPause : wait;
    }

    private async Task ReportAgainAsync(string key, OutboundResult throttled)
    {
        var context = ResilienceContextPool.Shared.Get();
        try
        {
            context.Properties.Set(LastResult, throttled);
            await Circuit(key).ExecuteOutcomeAsync(static (_, result) => ValueTask.FromResult(Outcome.FromResult(result)), context, throttled);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>An attempt the pipeline itself refused: nothing was sent, so the outcome is known and it may be retried.</summary>
    private OutboundResult? Refused(string key, Exception exception) => exception switch
    {
        BrokenCircuitException open => new OutboundResult
        {
            Failure = FailureKind.Transient,
            RetryAfter = open.RetryAfter is { } left && left > TimeSpan.Zero ? left : ProbeWindow,
            Error = $"{key} paused after HTTP 429 until its Retry-After: nothing sent",
        },
        RateLimiterRejectedException full => new OutboundResult
        {
            Failure = FailureKind.Transient,
            RetryAfter = full.RetryAfter is { } wait && wait > TimeSpan.Zero ? wait : TimeSpan.FromSeconds(options.Value.BusyRetryAfterSeconds),
            Error = $"{key} busy: the queue of its maxConcurrency or ratePerSecond budget is full: nothing sent",
        },
        _ => null,
    };

    /// <summary>A token bucket of about one second of tokens, refilled in tenths of a second.</summary>
    private static TokenBucketRateLimiter RateBudget(double ratePerSecond, int queue)
    {
        var perPeriod = Math.Max(1, (int)Math.Ceiling(ratePerSecond / 10));
        return new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(1, (int)Math.Ceiling(ratePerSecond)),
            TokensPerPeriod = perPeriod,
            ReplenishmentPeriod = TimeSpan.FromSeconds(perPeriod / ratePerSecond),
            QueueLimit = queue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    }
}

/// <summary>One pipeline of <see cref="OutboundPipelines"/> (<see cref="OutboundPipelines.Channel"/>, <see cref="OutboundPipelines.Callbacks"/>), ready to run attempts.</summary>
public readonly struct OutboundPipeline(OutboundPipelines owner, string key, ResiliencePipeline<OutboundResult> pipeline)
{
    public string Key => key;

    /// <summary>
    /// Runs <paramref name="attempt"/> (given the attempt's token, cancelled at the timeout) and stamps the result's
    /// duration. A send failure, a timeout or a refusal of the pipeline becomes a result; cancellation by
    /// <paramref name="ct"/> and any other exception (a bug, a request that cannot be built) escape.
    /// </summary>
    public Task<OutboundResult> ExecuteAsync(Func<CancellationToken, Task<OutboundResult>> attempt, CancellationToken ct) =>
        owner.ExecuteAsync(key, pipeline, attempt, ct);
}
