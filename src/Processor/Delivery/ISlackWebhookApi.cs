using System.Text.Json.Nodes;
using Refit;

namespace ExternalAction.Processor.Delivery;

/// <summary>A Slack incoming webhook; the client's base address is the webhook URL itself.</summary>
public interface ISlackWebhookApi
{
    [Post("")]
    Task<ApiResponse<string>> PostAsync([Body] JsonObject message, [Header("Idempotency-Key")] string idempotencyKey, CancellationToken ct);
}
