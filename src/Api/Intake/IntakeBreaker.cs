using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;

namespace ExternalAction.Api.Intake;

/// <summary>
/// Whether intake tries the broker at all. While the broker is known to be down (<see cref="BrokerConnectionWatch"/>
/// saw its connection close, or could not open one) the circuit is isolated and every publish is refused at once, so a
/// platform gets its 503 in microseconds instead of after the publish timeout; when the connection is back the circuit
/// closes and the next publish goes to the broker. As a second line, a run of publishes the broker did not confirm
/// (timeouts with the connection up, e.g. a resource alarm) opens the circuit by itself for
/// <see cref="IntakeOptions.BreakSeconds"/>, after which one trial publish decides. A refusal never means a 200: only a
/// publish the broker confirmed is <see cref="PublishResult.Queued"/>. A Polly circuit breaker with manual control, so
/// the state and its timing are Polly's (and a <see cref="TimeProvider"/>'s in tests).
/// </summary>
public sealed class IntakeBreaker
{
    private readonly CircuitBreakerManualControl _control = new();
    private readonly CircuitBreakerStateProvider _state = new();
    private readonly ResiliencePipeline<PublishResult> _pipeline;
    private readonly ILogger<IntakeBreaker> _logger;
    private int _knownDown;

    public IntakeBreaker(IOptions<IntakeOptions> intake, TimeProvider clock, ILogger<IntakeBreaker> logger)
    {
        var options = intake.Value;
        _logger = logger;
        _pipeline = new ResiliencePipelineBuilder<PublishResult> { TimeProvider = clock }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<PublishResult>
            {
                // Only "the broker did not take it": a client that went away or input that cannot be encoded says nothing about the broker.
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result == PublishResult.Unavailable),
                FailureRatio = 0.5,
                MinimumThroughput = options.BreakAfterFailures,
                SamplingDuration = TimeSpan.FromSeconds(10),
                BreakDuration = TimeSpan.FromSeconds(options.BreakSeconds),
                ManualControl = _control,
                StateProvider = _state,
                OnOpened = args =>
                {
                    if (!args.IsManual)
                        logger.LogWarning("Intake: the broker did not confirm {Failures}+ publishes in a row of the last 10 s; answering 503 at once for {Seconds} s, then trying again.",
                            options.BreakAfterFailures, options.BreakSeconds);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    public CircuitState State => _state.CircuitState;

    /// <summary>The broker's connection is gone (or was never made): refuse every publish until <see cref="BrokerUpAsync"/>.</summary>
    public async Task BrokerDownAsync(string reason)
    {
        if (Interlocked.Exchange(ref _knownDown, 1) == 0)
            _logger.LogWarning("Intake: RabbitMQ is unreachable ({Reason}); answering 503 at once until it is back.", reason);
        await _control.IsolateAsync();
    }

    /// <summary>The broker's connection is back: publishes go to the broker again.</summary>
    public async Task BrokerUpAsync()
    {
        if (Interlocked.Exchange(ref _knownDown, 0) == 1)
            _logger.LogWarning("Intake: RabbitMQ is reachable again; accepting requests."); // Warning like the outage, so both ends show
        await _control.CloseAsync();
    }

    /// <summary>Runs <paramref name="publish"/> unless the circuit refuses it; a refusal is <see cref="PublishResult.Unavailable"/>.</summary>
    public async ValueTask<PublishResult> ExecuteAsync(Func<CancellationToken, ValueTask<PublishResult>> publish, CancellationToken ct)
    {
        try
        {
            return await _pipeline.ExecuteAsync(publish, ct);
        }
        catch (BrokenCircuitException)
        {
            return PublishResult.Unavailable;
        }
    }
}
