using System.Text.Json.Nodes;
using Refit;

namespace ExternalAction.Processor.Adapters.Sfmc;

/// <summary>
/// Marketing Cloud's REST API, the two calls the Data Extension write-back makes. Each tenant has its own hosts
/// (<c>https://&lt;subdomain&gt;.auth.marketingcloudapis.com</c>, <c>…rest.marketingcloudapis.com</c>), so the whole URL is
/// passed per call (<c>[Url]</c>) and one client serves every action.
/// </summary>
public interface IMarketingCloudApi
{
    /// <summary><c>POST /v2/token</c>: client credentials (<c>grant_type</c>, <c>client_id</c>, <c>client_secret</c>, <c>account_id</c>).</summary>
    [Post("")]
    Task<HttpResponseMessage> TokenAsync([Url] Uri tokenUrl, [Body] JsonObject request, CancellationToken ct);

    /// <summary><c>POST /data/v1/async/dataextensions/key:{key}/rows</c>: asynchronous upsert of <c>{"items":[…]}</c>.</summary>
    [Post("")]
    Task<HttpResponseMessage> UpsertRowsAsync([Url] Uri rowsUrl, [Body] JsonObject rows, [Header("Authorization")] string authorization, CancellationToken ct);
}
