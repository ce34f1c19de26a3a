using System.Text.Json.Nodes;
using Refit;

namespace ExternalAction.Processor.Delivery;

/// <summary>
/// A Microsoft Teams incoming webhook (a Workflows "post to a channel when a webhook request is received" URL, or a
/// classic connector URL). The URL is a credential, so it comes from a secret and is passed per call (<c>[Url]</c>).
/// </summary>
public interface ITeamsWebhookApi
{
    [Post("")]
    Task<HttpResponseMessage> PostAsync([Url] Uri webhookUrl, [Body] JsonObject message, [Header("Idempotency-Key")] string idempotencyKey, CancellationToken ct);
}
