using System.Text.Json.Nodes;
using Refit;

namespace ExternalAction.Processor.Delivery;

/// <summary>
/// A Slack incoming webhook. The webhook URL is the whole address (from a secret, or rendered from the action's template
/// per request), so it is passed per call (<c>[Url]</c>) and one client registered at start-up serves every action.
/// </summary>
public interface ISlackWebhookApi
{
    [Post("")]
    Task<HttpResponseMessage> PostAsync([Url] Uri webhookUrl, [Body] JsonObject message, [Header("Idempotency-Key")] string idempotencyKey, CancellationToken ct);
}
