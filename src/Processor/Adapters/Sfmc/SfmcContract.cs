using System.Text.Json;
using System.Text.Json.Nodes;
using ExternalAction.Actions;
using ExternalAction.Contracts.Json;
using ExternalAction.Contracts.Messaging;
using ExternalAction.Processor.Engine;
using ExternalAction.Processor.Outbound;
using ExternalAction.Processor.Processing;
using ExternalAction.Processor.Templating;
using ExternalAction.Store;

namespace ExternalAction.Processor.Adapters.Sfmc;

/// <summary>
/// Salesforce Marketing Cloud Journey Builder custom activities, the Processor's half of the inbound adapter (the Api
/// half is src/Api/Sfmc). A work item's <see cref="ActionAccepted.Data"/> holds the execute's in-arguments by name and
/// its ids; the row records the contact key, journey id, definition instance id and activity id, with the in-arguments
/// the action marks <c>secret</c> masked; templates read <see cref="TemplateModel"/>.
/// </summary>
public sealed class SfmcAdapter(ActionCatalog catalog) : IContractAdapter
{
    public const string Masked = "***";

    public string Contract => ContractNames.Sfmc;

    public NewRequest Row(ActionAccepted message)
    {
        var masked = message.Data?.DeepClone().AsObject();
        var secret = catalog.Find(message.ActionName)?.Sfmc?.InArguments.Where(a => a.Secret).Select(a => a.Name).ToHashSet(StringComparer.Ordinal);
        if (masked?["inArguments"] is JsonObject inArguments)
        {
            foreach (var name in inArguments.Select(p => p.Key).ToList())
            {
                // An action this Processor does not know (any more): mask every value rather than guess.
                if (secret is null || secret.Contains(name))
                    inArguments[name] = Masked;
            }
        }
        return WorkItemRows.From(message, masked);
    }

    /// <summary>
    /// <c>inArguments.&lt;name&gt;</c> (every in-argument the execute carried), <c>contactKey</c>, <c>journeyId</c>,
    /// <c>definitionInstanceId</c>, <c>activityId</c>, <c>activityInstanceId</c>, <c>branchResult</c> (a split's answer),
    /// <c>requestId</c>, <c>action</c> (name, version), <c>contract</c>, <c>receivedAt</c>, <c>deadline</c>.
    /// </summary>
    public JsonObject TemplateModel(ActionAccepted message, ActionDefinition action) => Model(message, action);

    public static JsonObject Model(ActionAccepted message, ActionDefinition action)
    {
        var data = message.Data ?? [];
        return new JsonObject
        {
            ["requestId"] = message.RequestId,
            ["action"] = new JsonObject { ["name"] = action.Name, ["version"] = action.Version },
            ["contract"] = message.Contract,
            ["inArguments"] = data["inArguments"]?.DeepClone() ?? new JsonObject(),
            ["contactKey"] = Text(data, "keyValue"),
            ["journeyId"] = Text(data, "journeyId"),
            ["definitionInstanceId"] = Text(data, "definitionInstanceId"),
            ["activityId"] = Text(data, "activityId"),
            ["activityInstanceId"] = Text(data, "activityInstanceId"),
            ["branchResult"] = Text(data, "branchResult"),
            ["receivedAt"] = message.ReceivedAt.ToString("O"),
            ["deadline"] = message.Deadline.ToString("O"),
        };
    }

    private static string? Text(JsonObject? data, string name) =>
        data?[name] is JsonValue v && v.TryGetValue<string>(out var text) ? text : null;
}

/// <summary>
/// SFMC's outcome reporter. Journey Builder got its answer at execute time, so there is no callback: without a write-back
/// a delivered request is <c>Completed</c> at once; with the action's Data Extension write-back the row is upserted as a
/// retried report step (transient failures rescheduled to the deadline, a refusal for good is <c>Failed</c>). A delivery
/// refused for good is <c>Failed</c>.
/// </summary>
public sealed class SfmcReporter(MarketingCloudClient marketingCloud, TemplateRenderer templates) : IOutcomeReporter
{
    public string Contract => ContractNames.Sfmc;

    public Step AfterDelivery(ActionDefinition action, ActionAccepted message, OutboundResult delivered, int attempt, DateTimeOffset now)
    {
        if (delivered.Failure == FailureKind.Transient)
            return Decisions.DeliveryRetry(delivered);
        var branch = message.Data?["branchResult"] is JsonValue b && b.TryGetValue<string>(out var key) ? key : null;
        if (delivered.Failure == FailureKind.Permanent)
            return new Step.End(RequestStatuses.Failed, $"delivery refused for good: {delivered.Error}", new StatusUpdate
            {
                Status = RequestStatuses.Failed,
                AttemptCount = attempt,
                DeliveryStatusCode = delivered.StatusCode,
                DeliveryDurationMs = Decisions.Milliseconds(delivered.Duration),
                SelectedPathId = branch,
                Outcome = "DeliveryFailed",
            });

        var detail = delivered.StatusCode is { } code
            ? $"delivered to {action.Channel.Type} (HTTP {code}, {Decisions.Milliseconds(delivered.Duration)} ms)"
            : $"no delivery needed (channel {action.Channel.Type})";
        var update = new StatusUpdate
        {
            Status = RequestStatuses.Completed,
            Detail = branch is null ? detail : $"{detail}; branch '{branch}' answered at execute",
            AttemptCount = attempt,
            DeliveredAt = now,
            DeliveryStatusCode = delivered.StatusCode,
            DeliveryDurationMs = Decisions.Milliseconds(delivered.Duration),
            SelectedPathId = branch,
            Outcome = "Succeeded",
            ClearNextAttempt = true,
        };
        if (action.Sfmc?.WriteBack is not { } writeBack)
            return new Step.Done(update);

        string body;
        try
        {
            body = Rows(writeBack, SfmcAdapter.Model(message, action), delivered, now).ToJsonString(ContractJson.Options);
        }
        catch (Exception e) when (e is TemplateException or JsonException)
        {
            return new Step.End(RequestStatuses.Failed, $"delivered, but the Data Extension row could not be built: {e.Message}", update with { Status = RequestStatuses.Failed });
        }
        return new Step.Report(body, update with
        {
            Status = RequestStatuses.Processing,
            Detail = $"{update.Detail}; writing the outcome to Data Extension '{writeBack.DataExtensionKey}'",
            CallbackBody = body,
            ClearNextAttempt = false,
            ReleaseLease = false,
        }, null);
    }

    public Task<OutboundResult> SendAsync(ActionDefinition action, ActionAccepted message, string body, CancellationToken ct) =>
        marketingCloud.UpsertAsync(action.Sfmc!.WriteBack!, JsonNode.Parse(body)!.AsObject(), ct);

    /// <summary>The Data Extension upsert as <see cref="MarketingCloudClient"/> sends it; the access token is masked.</summary>
    public async Task<Preview.MaskingRules> PreviewReportAsync(ActionDefinition action, ActionAccepted message, string body, HttpMessageHandler capture, CancellationToken ct)
    {
        await MarketingCloudClient.PreviewUpsertAsync(action.Sfmc!.WriteBack!, JsonNode.Parse(body)!.AsObject(), capture, ct);
        return Preview.MaskingRules.None;
    }

    public Step AfterReport(ActionDefinition action, RequestRecord record, OutboundResult result, int attempt) => result.Failure switch
    {
        FailureKind.None => new Step.Done(new StatusUpdate
        {
            Status = RequestStatuses.Completed,
            Detail = $"delivered; Data Extension row accepted (HTTP {result.StatusCode}, {Decisions.Milliseconds(result.Duration)} ms)",
            AttemptCount = attempt,
            CallbackStatusCode = result.StatusCode,
            CallbackResult = "accepted",
            ClearNextAttempt = true,
        }),
        FailureKind.Transient => new Step.Retry("Data Extension write-back", result, new StatusUpdate
        {
            Status = RequestStatuses.RetryScheduled,
            CallbackStatusCode = result.StatusCode,
            CallbackResult = result.Error,
            CallbackOutcomeUnknown = result.OutcomeUnknown,
        }),
        _ => new Step.End(RequestStatuses.Failed, $"Data Extension write-back refused: {result.Error}", new StatusUpdate
        {
            Status = RequestStatuses.Failed,
            AttemptCount = attempt,
            CallbackStatusCode = result.StatusCode,
            CallbackResult = result.Error,
        }),
    };

    /// <summary>One row: each configured column rendered over the template model plus <c>outcome</c> (status, statusCode, deliveredAt).</summary>
    private JsonObject Rows(Actions.Sfmc.SfmcWriteBack writeBack, JsonObject model, OutboundResult delivered, DateTimeOffset now)
    {
        model["outcome"] = new JsonObject
        {
            // suppressed / capped when the delivery rules withheld it (nothing was delivered then).
            ["status"] = delivered.Verdict ?? "delivered",
            ["statusCode"] = delivered.StatusCode,
            ["deliveredAt"] = delivered.Verdict is null ? now.ToString("O") : null,
        };
        var row = new JsonObject();
        foreach (var (column, template) in writeBack.Fields)
            row[column] = templates.RenderText(template, model);
        return new JsonObject { ["items"] = new JsonArray(row) };
    }
}
