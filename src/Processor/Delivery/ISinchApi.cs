using System.Text.Json.Nodes;
using Refit;

namespace ExternalAction.Processor.Delivery;

/// <summary>
/// Sinch's SMS REST API, batches resource (JSON, bearer API token). The base URL is an action's setting (a Sinch region,
/// or a stand-in's), so the batches URL is passed per call (<c>[Url]</c>) and one client registered at start-up serves
/// every action. Sinch documents no idempotency header for batches; the <c>Idempotency-Key</c> sent is for proxies and
/// stand-ins, and the request id also travels as the batch's <c>client_reference</c>.
/// </summary>
public interface ISinchApi
{
    [Post("")]
    Task<HttpResponseMessage> SendAsync(
        [Url] Uri batchesUrl,
        [Body] JsonObject batch,
        [Header("Authorization")] string authorization,
        [Header("Idempotency-Key")] string idempotencyKey,
        CancellationToken ct);

    /// <summary>The batches resource of <paramref name="servicePlanId"/> under <paramref name="baseUrl"/>, whose path is kept.</summary>
    static Uri BatchesUrl(Uri baseUrl, string servicePlanId) =>
        new($"{baseUrl.GetLeftPart(UriPartial.Path).TrimEnd('/')}/xms/v1/{Uri.EscapeDataString(servicePlanId)}/batches");
}
