using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ExternalAction.Contracts.Messaging;
using MassTransit;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace ExternalAction.Api.Intake;

/// <summary>
/// Publishes an accepted request and waits for the broker's publisher confirm, bounded in time: a 200 is only ever
/// given for work that is durably queued. Concurrent requests' confirms are pipelined on MassTransit's channels. While
/// the broker is known to be down, <see cref="IntakeBreaker"/> refuses at once instead of waiting for the timeout. A
/// confirmed request's status row is left to <see cref="ReceivedRowWriter"/>: one persistent broker write per request.
/// </summary>
public sealed class IntakePublisher(IBus bus, IntakeBreaker breaker, ReceivedRowWriter rows, IOptions<IntakeOptions> options, ILogger<IntakePublisher> logger)
{
    /// <summary>
    /// A publish that faults or is not confirmed within half the publish timeout (its channel closed under it, e.g. the
    /// cluster node it was on stopped) is tried again within the publish timeout: MassTransit reconnects to another node
    /// meanwhile, so a node loss does not turn into 503s. A message that cannot be encoded is not retried. The first try
    /// may have reached the broker unconfirmed, so a retry can queue the request twice: the Processor keeps the first
    /// copy of a request id.
    /// </summary>
    private readonly ResiliencePipeline _republish = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<Exception>(e => e is TimeoutRejectedException || e is not (OperationCanceledException or System.Runtime.Serialization.SerializationException)),
            MaxRetryAttempts = 3,
            BackoffType = DelayBackoffType.Constant,
            Delay = TimeSpan.FromMilliseconds(250),
            UseJitter = false,
        })
        .AddTimeout(TimeSpan.FromSeconds(Math.Max(1, options.Value.PublishTimeoutSeconds / 2.0)))
        .Build();

    public async Task<PublishResult> PublishAsync(ActionAccepted message, CancellationToken requestAborted)
    {
        message = message with { SchemaVersion = ActionAccepted.CurrentSchemaVersion };
        return await breaker.ExecuteAsync(ct => PublishConfirmedAsync(message, ct), requestAborted);
    }

    private async ValueTask<PublishResult> PublishConfirmedAsync(ActionAccepted message, CancellationToken requestAborted)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
        timeout.CancelAfter(TimeSpan.FromSeconds(options.Value.PublishTimeoutSeconds));
        var started = Stopwatch.GetTimestamp();
        var outcome = "failed";
        try
        {
            await _republish.ExecuteAsync(async ct => await bus.Publish(message, context =>
            {
                context.MessageId = MessageId(message.RequestId);
                context.Durable = true;
                // What a status row needs, readable even if the body is not (see AcceptedHeaders).
                context.Headers.Set(AcceptedHeaders.RequestId, message.RequestId);
                context.Headers.Set(AcceptedHeaders.ActionName, message.ActionName);
                context.Headers.Set(AcceptedHeaders.ActionVersion, message.ActionVersion);
                context.Headers.Set(AcceptedHeaders.Contract, message.Contract);
                context.Headers.Set(AcceptedHeaders.EntityType, message.Identity?.EntityType ?? message.Request?.ObjectData?.ObjectType);
                context.Headers.Set(AcceptedHeaders.ReceivedAt, message.ReceivedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
                context.Headers.Set(AcceptedHeaders.Deadline, message.Deadline.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
                // Unroutable must fail rather than vanish: the broker returns it and the publish faults (→ 503).
                if (context.TryGetPayload<RabbitMqSendContext>(out var rabbit))
                    rabbit.Mandatory = true;
            }, ct), timeout.Token);
            outcome = "confirmed";
            IntakeMetrics.CountAccepted(message);
            // The row support finds it by, written in batches after the answer (the broker holds the request meanwhile).
            rows.Add(message);
            return PublishResult.Queued;
        }
        catch (System.Runtime.Serialization.SerializationException)
        {
            // The input itself cannot be written (an unpaired UTF-16 surrogate escaped in a JSON string): bad input, not an outage.
            return PublishResult.Unencodable;
        }
        catch (OperationCanceledException) when (!requestAborted.IsCancellationRequested)
        {
            logger.LogWarning("The broker did not confirm request {RequestId} within {Seconds} s; answering 503.",
                message.RequestId, options.Value.PublishTimeoutSeconds);
            return PublishResult.Unavailable;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning("Publishing request {RequestId} failed ({Error}); answering 503.", message.RequestId, e.GetType().Name);
            return PublishResult.Unavailable;
        }
        finally
        {
            IntakeMetrics.RecordPublish(Stopwatch.GetElapsedTime(started), outcome);
        }
    }

    /// <summary>
    /// What a platform endpoint answers when the publish did not queue the work: 503 (retry later, with
    /// <c>Retry-After</c> on <paramref name="response"/>) or 400; null when queued.
    /// </summary>
    public Microsoft.AspNetCore.Http.HttpResults.JsonHttpResult<Contracts.Platform.ErrorResponse>? Refusal(PublishResult result, HttpResponse response) => result switch
    {
        PublishResult.Unavailable => Unavailable(response),
        PublishResult.Unencodable => Errors.ContractErrors.Result(StatusCodes.Status400BadRequest, Errors.ContractErrors.Create(Contracts.Platform.ErrorCodes.InvalidRequest,
            "Invalid field $: a string holds an unpaired UTF-16 surrogate escape.", [new Contracts.Platform.ErrorDetail("$", "a string holds an unpaired UTF-16 surrogate escape")])),
        _ => null,
    };

    private Microsoft.AspNetCore.Http.HttpResults.JsonHttpResult<Contracts.Platform.ErrorResponse> Unavailable(HttpResponse response)
    {
        SetRetryAfter(response);
        return Errors.ContractErrors.Result(StatusCodes.Status503ServiceUnavailable, Errors.ContractErrors.Create(
            Contracts.Platform.ErrorCodes.InternalError, "The request could not be queued; retry later.",
            nestedCode: Contracts.Platform.ErrorCodes.ServiceUnavailable, retryAfterSeconds: options.Value.RetryAfterSeconds));
    }

    /// <summary>Tells the platform when to try again after a 503 for work that was not queued.</summary>
    public void SetRetryAfter(HttpResponse response) =>
        response.Headers.RetryAfter = options.Value.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);

    /// <summary>The same request id always yields the same message id, so broker-side tools can spot duplicates.</summary>
    private static Guid MessageId(string requestId)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(requestId), hash);
        return new Guid(hash[..16]);
    }
}

/// <summary>What became of a publish: durably queued, broker unavailable (503), or input that cannot be encoded (400).</summary>
public enum PublishResult
{
    Queued,
    Unavailable,
    Unencodable,
}
