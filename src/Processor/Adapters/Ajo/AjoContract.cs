using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using ExternalAction.Actions;
using ExternalAction.Actions.Ajo;
using ExternalAction.Contracts.Messaging;
using ExternalAction.Processor.Callbacks;
using ExternalAction.Processor.Engine;
using ExternalAction.Processor.Outbound;
using ExternalAction.Processor.Processing;
using ExternalAction.ServiceDefaults.Secrets;
using ExternalAction.Store;
using Microsoft.Extensions.Options;

namespace ExternalAction.Processor.Adapters.Ajo;

/// <summary>
/// AJO custom actions, the Processor's half of the inbound adapter. A work item's <see cref="ActionAccepted.Data"/> is
/// <c>{"payload", "response", "decision"}</c> as the Api's AJO face queued it (src/Api/Ajo). Its row keeps that data with
/// the action's <c>secretFields</c> masked; its template model exposes <c>payload</c> (the call's fields), <c>response</c>
/// (what AJO was answered), <c>requestId</c>, <c>action</c> and <c>identity</c>.
/// </summary>
public sealed class AjoAdapter(ActionCatalog catalog) : IContractAdapter
{
    public const string Mask = "***";

    public string Contract => ContractNames.AjoCustomAction;

    public NewRequest Row(ActionAccepted message) => WorkItemRows.From(message, Masked(message, catalog.Find(message.ActionName)?.Ajo));

    /// <summary>The data as support may see it: every declared secret field's value replaced by <see cref="Mask"/>.</summary>
    public static JsonObject? Masked(ActionAccepted message, AjoFace? face)
    {
        if (message.Data is not { } data)
            return null;
        var copy = data.DeepClone().AsObject();
        // An action that is gone or has no AJO face any more: nothing says which fields are secret, so keep no payload.
        if (face is null)
        {
            copy.Remove("payload");
            return copy;
        }
        foreach (var path in face.SecretFields)
        {
            var names = (path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path).Split('.');
            JsonNode? node = copy["payload"];
            for (var i = 0; i < names.Length - 1 && node is JsonObject; i++)
                node = node[names[i]];
            if (node is JsonObject parent && parent.ContainsKey(names[^1]))
                parent[names[^1]] = Mask;
        }
        return copy;
    }

    public JsonObject TemplateModel(ActionAccepted message, ActionDefinition action) => new()
    {
        ["payload"] = message.Data?["payload"]?.DeepClone() ?? new JsonObject(),
        ["response"] = message.Data?["response"]?.DeepClone(),
        ["requestId"] = message.RequestId,
        ["action"] = new JsonObject { ["name"] = action.Name, ["version"] = action.Version },
        ["identity"] = Identity(message.Identity),
    };

    /// <summary>The identity of a work item with the keys of the action file's <c>ajo.identity</c>.</summary>
    public static JsonObject Identity(WorkIdentity? identity)
    {
        var result = new JsonObject();
        void Put(string key, string? value)
        {
            if (value is not null)
                result[key] = value;
        }
        Put("profile", identity?.ContactKey);
        Put("journeyId", identity?.JourneyId);
        Put("journeyName", identity?.JourneyName);
        Put("journeyVersion", identity?.JourneyInstanceId);
        Put("step", identity?.ActivityId);
        return result;
    }
}

/// <summary>
/// AJO custom actions' outcome reporter. Without a status webhook the delivery's result is final: <c>Completed</c>, or
/// <c>Failed</c> when the channel refused it for good. With one, that outcome (request id, identity, status, the channel's
/// status code, timestamps; never a secret or the payload) is POSTed to the webhook, HMAC-signed like the webhook
/// channel's <c>hmac</c> auth, retried by the engine like a callback, and recorded in the row's <c>callback_*</c> columns.
/// </summary>
public sealed class AjoStatusReporter(IHttpClientFactory clients, OutboundPipelines pipelines, SecretResolver secrets, TimeProvider clock, IOptions<CallbackOptions> callbacks)
    : IOutcomeReporter
{
    public const string ClientName = "ExternalAction.AjoStatusWebhook";
    private const string Succeeded = "Succeeded";
    private const string Refused = "Refused";

    public string Contract => ContractNames.AjoCustomAction;

    public Step AfterDelivery(ActionDefinition action, ActionAccepted message, OutboundResult delivered, int attempt, DateTimeOffset now)
    {
        var refused = delivered.Failure == FailureKind.Permanent;
        var detail = refused
            ? $"delivery refused for good: {delivered.Error}"
            : delivered.StatusCode is { } code
                ? $"delivered to {action.Channel.Type} (HTTP {code}, {Decisions.Milliseconds(delivered.Duration)} ms)"
                : $"no delivery needed (channel {action.Channel.Type})";
        var update = new StatusUpdate
        {
            Status = RequestStatuses.Processing,
            Detail = detail,
            AttemptCount = attempt,
            DeliveredAt = refused ? null : now,
            DeliveryStatusCode = delivered.StatusCode,
            DeliveryDurationMs = Decisions.Milliseconds(delivered.Duration),
            Outcome = refused ? Refused : Succeeded,
            LastError = refused ? detail : null,
        };

        if (action.Ajo?.StatusWebhook is null)
            return refused
                ? new Step.End(RequestStatuses.Failed, detail, update with { Status = RequestStatuses.Failed })
                : new Step.Done(update with { Status = RequestStatuses.Completed, ClearNextAttempt = true });

        // A delivery the delivery rules withheld is reported as what it is (Suppressed, Capped), with the reason.
        var body = Outcome(action, message,
            status: Rules.Withholding.Outcome(delivered.Verdict) ?? (refused ? RequestStatuses.Failed : RequestStatuses.Completed),
            reason: refused || delivered.Verdict is not null ? delivered.Error : null,
            channelStatusCode: delivered.StatusCode,
            deliveredAt: refused || delivered.Verdict is not null ? null : now,
            now);
        return new Step.Report(body, update with { CallbackBody = body, ReleaseLease = false }, refused ? detail : null);
    }

    /// <summary>
    /// A request that ends without its own report (deadline passed, retries ran out, its data unusable) is reported too
    /// when the action has a status webhook: its final status (<c>TimedOut</c>, <c>Failed</c>) and the reason, with what
    /// the row knows of the delivery.
    /// </summary>
    public string? EndingReport(ActionDefinition action, ActionAccepted message, RequestRecord record, Step.End end, DateTimeOffset now) =>
        action.Ajo?.StatusWebhook is null || end.Reported
            ? null
            : Outcome(action, message, end.Status, end.Reason, record.DeliveryStatusCode, record.DeliveredAt, now);

    /// <summary>The status webhook's body: request id, action, status, reason, channel, identity, timestamps; never a secret or the payload.</summary>
    private static string Outcome(ActionDefinition action, ActionAccepted message, string status, string? reason, int? channelStatusCode, DateTimeOffset? deliveredAt, DateTimeOffset now) => new JsonObject
    {
        ["requestId"] = message.RequestId,
        ["action"] = action.Name,
        ["actionVersion"] = action.Version,
        ["status"] = status,
        ["reason"] = reason,
        ["channel"] = new JsonObject { ["type"] = action.Channel.Type, ["statusCode"] = channelStatusCode },
        ["identity"] = AjoAdapter.Identity(message.Identity),
        ["receivedAt"] = message.ReceivedAt,
        ["deliveredAt"] = deliveredAt,
        ["finishedAt"] = now,
    }.ToJsonString();

    public async Task<OutboundResult> SendAsync(ActionDefinition action, ActionAccepted message, string body, CancellationToken ct)
    {
        var hook = action.Ajo?.StatusWebhook ?? throw new InvalidOperationException($"Action '{action.Name}' has no status webhook; AfterDelivery reports only with one.");
        if (!secrets.TryResolve(hook.Secret, out var key))
            return new OutboundResult { Failure = FailureKind.Permanent, Error = $"status webhook: {MissingSecretException.Describe(hook.Secret)}" };
        // Within the lease, which counts one callback timeout for the report step.
        var timeout = TimeSpan.FromSeconds(Math.Min(hook.TimeoutSeconds, callbacks.Value.TimeoutSeconds));
        return await pipelines.Reports($"report:ajo-status:{action.Name}", timeout).ExecuteAsync(async attemptCt =>
        {
            using var request = Request(message, hook, key, body);
            using var response = await clients.CreateClient(ClientName).SendAsync(request, attemptCt);
            return await HttpOutcome.FromResponseAsync(response, clock, attemptCt);
        }, ct);
    }

    /// <summary>The status webhook's request for <paramref name="body"/>, signed with <paramref name="key"/> now.</summary>
    private HttpRequestMessage Request(ActionAccepted message, AjoStatusWebhook hook, string key, string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, hook.Url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        OutboundHeaders.Add(request, "X-Request-Id", message.RequestId);
        HmacSignature.Sign(request, key, hook.HeaderName, body, clock);
        return request;
    }

    /// <summary>The status webhook's request as <see cref="SendAsync"/> builds it; its signature and key are masked.</summary>
    public async Task<Preview.MaskingRules> PreviewReportAsync(ActionDefinition action, ActionAccepted message, string body, HttpMessageHandler capture, CancellationToken ct)
    {
        var hook = action.Ajo?.StatusWebhook ?? throw new InvalidOperationException($"Action '{action.Name}' has no status webhook; AfterDelivery reports only with one.");
        var key = secrets.Resolve(hook.Secret);
        using var request = Request(message, hook, key, body);
        using var client = new HttpClient(capture, disposeHandler: false);
        using var _ = await client.SendAsync(request, ct);
        return new Preview.MaskingRules([key], [hook.HeaderName], UrlIsCredential: false);
    }

    public Step AfterReport(ActionDefinition action, RequestRecord record, OutboundResult result, int attempt)
    {
        var refused = record.Outcome == Refused;
        switch (result.Failure)
        {
            case FailureKind.None:
                var accepted = new StatusUpdate
                {
                    Status = refused ? RequestStatuses.Failed : RequestStatuses.Completed,
                    Detail = $"status webhook accepted the outcome (HTTP {result.StatusCode}, {Decisions.Milliseconds(result.Duration)} ms)",
                    AttemptCount = attempt,
                    CallbackStatusCode = result.StatusCode,
                    CallbackResult = "accepted",
                    CallbackOutcomeUnknown = false,
                    ClearNextAttempt = true,
                };
                return refused
                    ? new Step.End(RequestStatuses.Failed, $"{record.LastError ?? "delivery refused for good"}; the status webhook accepted the report", accepted, Reported: true)
                    : new Step.Done(accepted);
            case FailureKind.Transient:
                return new Step.Retry("status webhook", result, new StatusUpdate
                {
                    Status = RequestStatuses.RetryScheduled,
                    CallbackStatusCode = result.StatusCode,
                    CallbackResult = Decisions.FailedReport(result),
                    CallbackOutcomeUnknown = result.OutcomeUnknown,
                });
            default:
                return new Step.End(RequestStatuses.Failed, $"status webhook refused the report: {result.Error}", new StatusUpdate
                {
                    Status = RequestStatuses.Failed,
                    AttemptCount = attempt,
                    CallbackStatusCode = result.StatusCode,
                    CallbackResult = result.Error,
                }, Reported: true);
        }
    }
}
