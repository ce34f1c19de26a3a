using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ExternalAction.Actions;
using ExternalAction.Contracts.Callbacks;
using ExternalAction.Contracts.Json;
using ExternalAction.Contracts.Messaging;
using ExternalAction.Processor.Accessors;
using ExternalAction.Processor.Callbacks;
using ExternalAction.Processor.Delivery;
using ExternalAction.Processor.Outbound;
using ExternalAction.Processor.PathConditions;
using ExternalAction.Processor.Retries;
using ExternalAction.Store;
using MassTransit;
using Microsoft.Extensions.Options;

namespace ExternalAction.Processor.Processing;

/// <summary>
/// One attempt at one request: claim it, deliver to the channel (once), compute accessor values and the split path,
/// send the callback, and record every step. Transient failures are rescheduled through <see cref="IRetryScheduler"/>
/// until the deadline; permanent ones end the request. The status row is the source of truth across attempts, so a
/// duplicate message (platform retry, broker redelivery, retry copy) never delivers or calls back twice.
/// </summary>
public sealed class ActionProcessor(
    ActionCatalog catalog,
    StatusStore store,
    ChannelDelivery delivery,
    CallbackClient callbacks,
    IRetryScheduler retries,
    IOptions<ProcessorOptions> options,
    TimeProvider clock,
    ILogger<ActionProcessor> logger)
{
    /// <summary>Prefix of <c>CallbackResult</c> when an attempt may have reached the platform without an answer.</summary>
    public const string OutcomeUnknown = "outcome unknown";

    public async Task ProcessAsync(ConsumeContext<ActionAccepted> context)
    {
        var message = context.Message;
        var ct = context.CancellationToken;
        var action = catalog.Find(message.ActionName) ?? throw new UnknownActionException(message.ActionName);
        var now = clock.GetUtcNow();

        // A retry copy that came back before its time (delay longer than the largest wait tier) goes round again.
        if (message.NotBefore is { } notBefore && notBefore - now > TimeSpan.FromMilliseconds(500))
        {
            await retries.ScheduleAsync(context, message, notBefore - now);
            return;
        }

        var owner = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";
        var lease = TimeSpan.FromSeconds(action.Channel.TimeoutSeconds + options.Value.CallbackTimeoutSeconds + options.Value.LeaseMarginSeconds);
        var row = RequestRows.From(message);
        var claim = await store.ClaimAsync(row, owner, now, lease, ct);
        var record = claim.Record;
        if (!claim.Claimed)
        {
            if (record.RequestHash is { } first && first != row.RequestHash)
            {
                // The first accepted copy is the truth: a resubmission with another body or callbackUrl is a duplicate
                // (the platform got the same requestId) and never changes what is sent or where.
                logger.LogInformation("Request {RequestId}: a later copy with different content was dropped; the first accepted request is processed.", record.RequestId);
            }
            else if (!RequestStatuses.IsFinal(record.Status))
            {
                // Another worker holds it (or it changed under us). If that worker died, its lease expires; look again
                // then, so nothing is ever stranded by dropping a message for an unfinished request.
                var until = record.LeaseUntil is { } leasedUntil && leasedUntil > now ? leasedUntil : now;
                logger.LogDebug("Request {RequestId} is {Status} and not claimable now; checking again at {Until}.", record.RequestId, record.Status, until);
                await retries.ScheduleAsync(context, message with { NotBefore = until.AddSeconds(1) }, until - now + TimeSpan.FromSeconds(1));
            }
            else
            {
                logger.LogDebug("Request {RequestId} is already {Status}; duplicate message dropped.", record.RequestId, record.Status);
            }
            return;
        }

        if (now >= message.Deadline)
            await EndAsync(record, owner, RequestStatuses.TimedOut, "the deadline passed before processing", ct);

        var attempt = record.AttemptCount + 1;
        var body = record.CallbackBody is { } stored
            ? JsonSerializer.Deserialize<CallbackRequest>(stored, ContractJson.Options)!
            : await DeliverAndDecideAsync(context, action, record, owner, attempt);
        if (body is null)
            return; // rescheduled

        if (clock.GetUtcNow() >= message.Deadline)
            await EndAsync(record, owner, RequestStatuses.TimedOut, "the deadline passed before the callback could be sent", ct);

        var result = await callbacks.SendAsync(message, body, ct);
        await RecordCallbackAsync(context, record, owner, attempt, result);
    }

    /// <summary>Delivers once and builds the callback body; null when the delivery was rescheduled.</summary>
    private async Task<CallbackRequest?> DeliverAndDecideAsync(ConsumeContext<ActionAccepted> context, ActionDefinition action, RequestRecord record, string owner, int attempt)
    {
        var message = context.Message;
        var ct = context.CancellationToken;
        var delivered = await delivery.DeliverAsync(action, message, ct);
        if (delivered.Failure == FailureKind.Transient)
        {
            await RetryAsync(context, record, owner, attempt, delivered, "delivery", new StatusUpdate
            {
                Status = RequestStatuses.RetryScheduled,
                DeliveryStatusCode = delivered.StatusCode,
                DeliveryDurationMs = Milliseconds(delivered.Duration),
            });
            return null;
        }

        CallbackOutcome outcome;
        string? selectedPath = null;
        string? explanation = null;
        AccessorOutcome? accessors = null;
        if (delivered.Failure == FailureKind.Permanent)
        {
            outcome = new CallbackOutcome
            {
                Success = false,
                ErrorCode = "EXTERNAL_API_ERROR",
                Reason = delivered.StatusCode is null
                    ? $"The message for the {action.Channel.Type} channel could not be built: {delivered.Error}"
                    : $"The {action.Channel.Type} channel rejected the message: {delivered.Error}",
            };
        }
        else
        {
            try
            {
                // Built once for all the mappings (accessors, callback fields, activity attributes) of this attempt.
                var requestJson = AccessorResolver.RequestJson(message);
                var responseJson = AccessorResolver.Parse(delivered.ResponseBody);
                accessors = AccessorResolver.Resolve(action, message, requestJson, responseJson);
                outcome = new CallbackOutcome
                {
                    Success = true,
                    Accessors = accessors,
                    Fields = Read(action.CallbackFields, requestJson, responseJson),
                    ActivityAttributes = Read(action.ActivityAttributes, requestJson, responseJson),
                };
                if (message.Request.EnableSplitPaths ?? action.SplitPaths)
                    (selectedPath, explanation) = SelectPaths(action, message, accessors);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Pure steps over this request's data: the same data fails the same way on every attempt, so the request
                // ends now with a failure callback instead of being re-claimed until its deadline.
                accessors = null;
                selectedPath = explanation = null;
                outcome = new CallbackOutcome
                {
                    Success = false,
                    ErrorCode = "EXTERNAL_API_ERROR",
                    Reason = $"The action's accessor values, fields or path conditions could not be evaluated on this request: {e.GetType().Name}: {LogText.Clean(e.Message)}",
                };
                logger.LogWarning("Request {RequestId}: evaluating the action's mappings failed ({Error}); sending a failure callback.", record.RequestId, e.GetType().Name);
            }
        }

        CallbackRequest body;
        try
        {
            body = CallbackBuilder.Build(action, message, outcome);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await EndAsync(record, owner, RequestStatuses.Failed, $"the callback body could not be built from this request: {e.GetType().Name}: {LogText.Clean(e.Message)}", ct);
            throw; // EndAsync always throws
        }
        var detail = delivered.StatusCode is { } code
            ? $"delivered to {action.Channel.Type} (HTTP {code}, {Milliseconds(delivered.Duration)} ms)"
            : $"no delivery needed (channel {action.Channel.Type})";
        if (!outcome.Success)
            detail = delivered.Failure == FailureKind.Permanent
                ? $"delivery refused for good: {delivered.Error}; sending a failure callback"
                : $"{outcome.Reason}; sending a failure callback";
        await store.UpdateAsync(record.RequestId, new StatusUpdate
        {
            Status = RequestStatuses.Processing,
            Detail = explanation is null ? detail : $"{detail}; {explanation}",
            AttemptCount = attempt,
            DeliveredAt = clock.GetUtcNow(),
            DeliveryStatusCode = delivered.StatusCode,
            DeliveryDurationMs = Milliseconds(delivered.Duration),
            AccessorValues = accessors is null ? null : AccessorJson(accessors),
            AccessorRejections = accessors is { Rejections.Count: > 0 } ? JsonSerializer.Serialize(accessors.Rejections, ContractJson.Options) : null,
            SelectedPathId = selectedPath,
            Outcome = outcome.Success ? "Succeeded" : "BusinessFailure",
            LastError = outcome.Success ? null : outcome.Reason,
            CallbackBody = JsonSerializer.Serialize(body, ContractJson.Options),
            ReleaseLease = false,
        }, owner, ct);
        return body;
    }

    private async Task RecordCallbackAsync(ConsumeContext<ActionAccepted> context, RequestRecord record, string owner, int attempt, OutboundResult result)
    {
        var ct = context.CancellationToken;
        switch (result.Failure)
        {
            case FailureKind.None:
                await store.UpdateAsync(record.RequestId, new StatusUpdate
                {
                    Status = RequestStatuses.CallbackSent,
                    Detail = $"callback accepted (HTTP {result.StatusCode}, {Milliseconds(result.Duration)} ms)",
                    AttemptCount = attempt,
                    CallbackStatusCode = result.StatusCode,
                    CallbackResult = "accepted",
                    ClearNextAttempt = true,
                }, owner, ct);
                return;

            case FailureKind.Transient:
                await RetryAsync(context, record, owner, attempt, result, "callback", new StatusUpdate
                {
                    Status = RequestStatuses.RetryScheduled,
                    CallbackStatusCode = result.StatusCode,
                    CallbackResult = result.OutcomeUnknown ? $"{OutcomeUnknown}: {result.Error}" : result.Error,
                    CallbackOutcomeUnknown = result.OutcomeUnknown,
                });
                return;

            default:
                // The platform's token is single-use: after an attempt whose fate we never learned, a refusal of the
                // retry most likely means the first one arrived.
                var earlierUnknown = record.CallbackOutcomeUnknown;
                if (result.StatusCode == 400 && earlierUnknown)
                {
                    await store.UpdateAsync(record.RequestId, new StatusUpdate
                    {
                        Status = RequestStatuses.CallbackUnconfirmed,
                        Detail = "an earlier callback attempt's outcome was unknown and the platform now refuses the token as used: the first attempt most likely arrived",
                        AttemptCount = attempt,
                        CallbackStatusCode = result.StatusCode,
                        CallbackResult = "delivered-unconfirmed",
                        ClearNextAttempt = true,
                    }, owner, ct);
                    return;
                }
                await store.UpdateAsync(record.RequestId, new StatusUpdate
                {
                    Status = RequestStatuses.Failed,
                    Detail = $"callback refused for good: {result.Error}",
                    AttemptCount = attempt,
                    CallbackStatusCode = result.StatusCode,
                    CallbackResult = result.Error,
                    LastError = $"callback refused: {result.Error}",
                    ClearNextAttempt = true,
                }, owner, ct);
                throw new RequestFailedException(record.RequestId, RequestStatuses.Failed, $"callback refused: {result.Error}");
        }
    }

    /// <summary>Reschedules after a transient failure, or ends the request when the next try would pass the deadline.</summary>
    private async Task RetryAsync(ConsumeContext<ActionAccepted> context, RequestRecord record, string owner, int attempt,
        OutboundResult result, string step, StatusUpdate update)
    {
        var message = context.Message;
        var delay = RetryDelay.Next(attempt, result.RetryAfter, options.Value);
        var next = clock.GetUtcNow() + delay;
        var reason = $"{step} failed: {result.Error}";
        if (next >= message.Deadline)
            await EndAsync(record, owner, RequestStatuses.TimedOut, $"{reason}; the next attempt would pass the deadline", context.CancellationToken, update);

        await store.UpdateAsync(record.RequestId, update with
        {
            Detail = $"{reason}; attempt {attempt}, next in {delay.TotalSeconds:0.#} s",
            AttemptCount = attempt,
            NextAttemptAt = next,
            LastError = reason,
        }, owner, context.CancellationToken);
        await retries.ScheduleAsync(context, message with { Attempt = attempt, NotBefore = next }, delay);
    }

    /// <summary>Records a final failure state and throws so the message lands in <c>_error</c> with the reason.</summary>
    private async Task EndAsync(RequestRecord record, string owner, string status, string reason, CancellationToken ct, StatusUpdate? update = null)
    {
        await store.UpdateAsync(record.RequestId, (update ?? new StatusUpdate { Status = status }) with
        {
            Status = status,
            Detail = reason,
            LastError = reason,
            ClearNextAttempt = true,
        }, owner, ct);
        logger.LogWarning("Request {RequestId} ended {Status}: {Reason}", record.RequestId, status, reason);
        throw new RequestFailedException(record.RequestId, status, reason);
    }

    private static (string? PathId, string Explanation) SelectPaths(ActionDefinition action, ActionAccepted message, AccessorOutcome accessors)
    {
        var paths = message.Request.ActionConfig?.PathConfig?.OfType<Contracts.Platform.PathConfig>().ToList();
        if (accessors.ByRelationship.Count == 0)
        {
            var selection = PathEvaluator.Select(paths, accessors.Values, action.AccessorsMetadata);
            return (selection.PathId, selection.Explanation);
        }
        // accountPerson: each person goes down their own path.
        var byPerson = new JsonObject();
        foreach (var (relId, values) in accessors.ByRelationship)
            byPerson[relId.ToString(CultureInfo.InvariantCulture)] = PathEvaluator.Select(paths, values, action.AccessorsMetadata).PathId;
        return (byPerson.ToJsonString(), $"paths selected per relationship: {byPerson.ToJsonString()}");
    }

    private static string AccessorJson(AccessorOutcome accessors)
    {
        if (accessors.ByRelationship.Count == 0)
            return accessors.Values.ToJsonString();
        var byPerson = new JsonObject();
        foreach (var (relId, values) in accessors.ByRelationship)
            byPerson[relId.ToString(CultureInfo.InvariantCulture)] = values.DeepClone();
        return byPerson.ToJsonString();
    }

    private static JsonObject? Read(Dictionary<string, ValueMapping> mappings, JsonNode requestJson, JsonNode? responseJson)
    {
        if (mappings.Count == 0)
            return null;
        var values = new JsonObject();
        foreach (var (name, mapping) in mappings)
        {
            if (ValueMappingReader.Read(mapping, requestJson, responseJson) is { } value)
                values[name] = value;
        }
        return values;
    }

    private static int Milliseconds(TimeSpan duration) => (int)Math.Round(duration.TotalMilliseconds);
}
