using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ExternalAction.Actions;
using ExternalAction.Contracts.Callbacks;
using ExternalAction.Contracts.Json;
using ExternalAction.Contracts.Messaging;
using ExternalAction.Processor.Accessors;
using ExternalAction.Processor.Callbacks;
using ExternalAction.Processor.Outbound;
using ExternalAction.Processor.PathConditions;
using ExternalAction.Store;

namespace ExternalAction.Processor.Processing;

/// <summary>
/// The lifecycle's decisions as pure functions: what an attempt's delivery or callback result means for the request
/// (its next status, what the row records, what the platform is told). No I/O and no clock of their own, so every
/// transition, crash window and deadline edge is a table test; <see cref="ActionProcessor"/> does the I/O they ask for.
/// </summary>
public static class Decisions
{
    /// <summary>Prefix of the row's <c>CallbackResult</c> text (for people) when an attempt may have reached the platform
    /// without an answer; the decision reads the row's <c>CallbackOutcomeUnknown</c> column.</summary>
    public const string OutcomeUnknown = "outcome unknown";

    /// <summary>The row's <c>CallbackResult</c> for a failed report: its error, marked when it may have reached the receiver.</summary>
    public static string? FailedReport(OutboundResult result) =>
        result.OutcomeUnknown ? $"{OutcomeUnknown}: {result.Error}" : result.Error;

    /// <summary>A delivery that failed transiently, for every contract: to be rescheduled (<see cref="Reschedule"/>).</summary>
    public static Step.Retry DeliveryRetry(OutboundResult delivered) => new("delivery", delivered, new StatusUpdate
    {
        Status = RequestStatuses.RetryScheduled,
        DeliveryStatusCode = delivered.StatusCode,
        DeliveryDurationMs = Milliseconds(delivered.Duration),
    });

    /// <summary>B2B: what the channel's answer means: try again later, report to the platform, or end here.</summary>
    public static Step AfterDelivery(ActionDefinition action, ActionAccepted message, OutboundResult delivered, int attempt, DateTimeOffset now)
    {
        if (delivered.Failure == FailureKind.Transient)
            return DeliveryRetry(delivered);

        var (outcome, accessors, selectedPath, explanation) = delivered.Failure == FailureKind.Permanent
            ? (Refused(action, delivered), null, null, null)
            : Evaluate(action, message, delivered);

        string body;
        try
        {
            body = JsonSerializer.Serialize(CallbackBuilder.Build(action, message, outcome), ContractJson.Options);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new Step.End(RequestStatuses.Failed, $"the callback body could not be built from this request: {e.GetType().Name}: {LogText.Clean(e.Message)}");
        }

        var detail = !outcome.Success
            ? delivered.Failure == FailureKind.Permanent
                ? $"delivery refused for good: {delivered.Error}; sending a failure callback"
                : $"{outcome.Reason}; sending a failure callback"
            : delivered.StatusCode is { } code
                ? $"delivered to {action.Channel.Type} (HTTP {code}, {Milliseconds(delivered.Duration)} ms)"
                : $"no delivery needed (channel {action.Channel.Type})";
        return new Step.Report(body, new StatusUpdate
        {
            Status = RequestStatuses.Processing,
            Detail = explanation is null ? detail : $"{detail}; {explanation}",
            AttemptCount = attempt,
            DeliveredAt = now,
            DeliveryStatusCode = delivered.StatusCode,
            DeliveryDurationMs = Milliseconds(delivered.Duration),
            AccessorValues = accessors is null ? null : AccessorJson(accessors),
            AccessorRejections = accessors is { Rejections.Count: > 0 } ? JsonSerializer.Serialize(accessors.Rejections, ContractJson.Options) : null,
            SelectedPathId = selectedPath,
            Outcome = outcome.Success ? "Succeeded" : "BusinessFailure",
            LastError = outcome.Success ? null : outcome.Reason,
            CallbackBody = body,
            ReleaseLease = false,
        }, outcome.Success ? null : outcome.Reason);
    }

    /// <summary>B2B: what the platform's answer to the callback means.</summary>
    public static Step AfterCallback(RequestRecord record, OutboundResult result, int attempt)
    {
        switch (result.Failure)
        {
            case FailureKind.None:
                return new Step.Done(new StatusUpdate
                {
                    Status = RequestStatuses.CallbackSent,
                    Detail = $"callback accepted (HTTP {result.StatusCode}, {Milliseconds(result.Duration)} ms)",
                    AttemptCount = attempt,
                    CallbackStatusCode = result.StatusCode,
                    CallbackResult = "accepted",
                    ClearNextAttempt = true,
                });

            case FailureKind.Transient:
                return new Step.Retry("callback", result, new StatusUpdate
                {
                    Status = RequestStatuses.RetryScheduled,
                    CallbackStatusCode = result.StatusCode,
                    CallbackResult = FailedReport(result),
                    CallbackOutcomeUnknown = result.OutcomeUnknown,
                });

            default:
                // The platform's token is single-use: after an attempt whose fate we never learned, a refusal of the
                // retry most likely means the first one arrived.
                if (result.StatusCode == 400 && record.CallbackOutcomeUnknown)
                    return new Step.Done(new StatusUpdate
                    {
                        Status = RequestStatuses.CallbackUnconfirmed,
                        Detail = "an earlier callback attempt's outcome was unknown and the platform now refuses the token as used: the first attempt most likely arrived",
                        AttemptCount = attempt,
                        CallbackStatusCode = result.StatusCode,
                        CallbackResult = "delivered-unconfirmed",
                        ClearNextAttempt = true,
                    });
                return new Step.End(RequestStatuses.Failed, $"callback refused: {result.Error}", new StatusUpdate
                {
                    Status = RequestStatuses.Failed,
                    Detail = $"callback refused for good: {result.Error}",
                    AttemptCount = attempt,
                    CallbackStatusCode = result.StatusCode,
                    CallbackResult = result.Error,
                    LastError = $"callback refused: {result.Error}",
                    ClearNextAttempt = true,
                });
        }
    }

    /// <summary>
    /// After a transient failure: the next attempt with its delay and the row's update, or the end when that attempt
    /// would start at or after the deadline (<c>TimedOut</c>, keeping what the failed step recorded).
    /// </summary>
    public static Step Reschedule(Step.Retry retry, int attempt, DateTimeOffset now, DateTimeOffset deadline, ProcessorOptions options)
    {
        var delay = RetryDelay.Next(attempt, retry.Result.RetryAfter, options);
        var next = now + delay;
        var reason = $"{retry.StepName} failed: {retry.Result.Error}";
        if (next >= deadline)
            return new Step.End(RequestStatuses.TimedOut, $"{reason}; the next attempt would pass the deadline", retry.Update);
        return new Step.Wait(delay, next, retry.Update with
        {
            Detail = $"{reason}; attempt {attempt}, next in {delay.TotalSeconds:0.#} s",
            AttemptCount = attempt,
            NextAttemptAt = next,
            LastError = reason,
        });
    }

    /// <summary>The row update that ends a request in <paramref name="end"/>'s status with its reason.</summary>
    public static StatusUpdate Ending(Step.End end) => (end.Update ?? new StatusUpdate { Status = end.Status }) with
    {
        Status = end.Status,
        Detail = end.Reason,
        LastError = end.Reason,
        ClearNextAttempt = true,
    };

    private static CallbackOutcome Refused(ActionDefinition action, OutboundResult delivered) => new()
    {
        Success = false,
        ErrorCode = "EXTERNAL_API_ERROR",
        Reason = delivered.StatusCode is null
            ? $"The message for the {action.Channel.Type} channel could not be built: {delivered.Error}"
            : $"The {action.Channel.Type} channel rejected the message: {delivered.Error}",
    };

    /// <summary>Accessor values, callback fields, activity attributes and the split path; a failure of any is a business failure.</summary>
    private static (CallbackOutcome, AccessorOutcome?, string?, string?) Evaluate(ActionDefinition action, ActionAccepted message, OutboundResult delivered)
    {
        try
        {
            // Built once for all the mappings (accessors, callback fields, activity attributes) of this attempt.
            var requestJson = AccessorResolver.RequestJson(message);
            var responseJson = AccessorResolver.Parse(delivered.ResponseBody);
            var deliveryJson = ValueMappingReader.DeliveryJson(delivered.Verdict, delivered.StatusCode, delivered.Error, delivered.Route);
            var accessors = AccessorResolver.Resolve(action, message, requestJson, responseJson, deliveryJson);
            var outcome = new CallbackOutcome
            {
                Success = true,
                Accessors = accessors,
                Fields = Read(action.CallbackFields, requestJson, responseJson, deliveryJson),
                ActivityAttributes = Read(action.ActivityAttributes, requestJson, responseJson, deliveryJson),
            };
            var (path, explanation) = message.B2B.EnableSplitPaths ?? action.SplitPaths
                ? SelectPaths(action, message, accessors)
                : (null, null);
            return (outcome, accessors, path, explanation);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Pure steps over this request's data: the same data fails the same way on every attempt, so the request
            // ends now with a failure callback instead of being re-claimed until its deadline.
            return (new CallbackOutcome
            {
                Success = false,
                ErrorCode = "EXTERNAL_API_ERROR",
                Reason = $"The action's accessor values, fields or path conditions could not be evaluated on this request: {e.GetType().Name}: {LogText.Clean(e.Message)}",
            }, null, null, null);
        }
    }

    private static (string? PathId, string? Explanation) SelectPaths(ActionDefinition action, ActionAccepted message, AccessorOutcome accessors)
    {
        var paths = message.B2B.ActionConfig?.PathConfig?.OfType<Contracts.Platform.PathConfig>().ToList();
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

    private static JsonObject? Read(Dictionary<string, ValueMapping> mappings, JsonNode requestJson, JsonNode? responseJson, JsonNode deliveryJson)
    {
        if (mappings.Count == 0)
            return null;
        var values = new JsonObject();
        foreach (var (name, mapping) in mappings)
        {
            if (ValueMappingReader.Read(mapping, requestJson, responseJson, delivery: deliveryJson) is { } value)
                values[name] = value;
        }
        return values;
    }

    internal static int Milliseconds(TimeSpan duration) => (int)Math.Round(duration.TotalMilliseconds);
}

/// <summary>What one step of an attempt decided; <see cref="ActionProcessor"/> acts on it.</summary>
public abstract record Step
{
    private Step() { }

    /// <summary>A transient failure of <paramref name="StepName"/>: to be rescheduled (see <see cref="Decisions.Reschedule"/>).</summary>
    public sealed record Retry(string StepName, OutboundResult Result, StatusUpdate Update) : Step;

    /// <summary>Rescheduled: record <paramref name="Update"/>, then the message comes back after <paramref name="Delay"/>.</summary>
    public sealed record Wait(TimeSpan Delay, DateTimeOffset NextAttemptAt, StatusUpdate Update) : Step;

    /// <summary>Record <paramref name="Update"/> (which keeps <paramref name="Body"/>), then send <paramref name="Body"/> through the contract's outcome reporter.</summary>
    public sealed record Report(string Body, StatusUpdate Update, string? FailureReason) : Step;

    /// <summary>The request reached a final status the platform was told about.</summary>
    public sealed record Done(StatusUpdate Update) : Step;

    /// <summary>
    /// The request ends in <paramref name="Status"/> without (further) word to the platform. <paramref name="Reported"/>:
    /// the receiver of the contract's reports already answered about this request (accepted or refused the report),
    /// so the ending is not reported (<see cref="Engine.IOutcomeReporter.EndingReport"/>).
    /// </summary>
    public sealed record End(string Status, string Reason, StatusUpdate? Update = null, bool Reported = false) : Step;
}
