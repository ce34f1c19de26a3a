using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using ExternalAction.Actions.Sfmc;
using ExternalAction.Processor.Outbound;
using ExternalAction.ServiceDefaults.Secrets;

namespace ExternalAction.Processor.Adapters.Sfmc;

/// <summary>
/// Writes rows to a Data Extension through Marketing Cloud's REST API: a client-credentials access token from the tenant's
/// <c>/v2/token</c>, cached per package until a minute before it expires, refreshed once when the REST API answers 401;
/// then the asynchronous row upsert. Each attempt runs through the SFMC reports' resilience pipeline (a 429 pauses them,
/// per-attempt timeout). Failures come back as <see cref="OutboundResult"/>s; neither the client secret nor the token is
/// logged or put in an error.
/// </summary>
public sealed class MarketingCloudClient(IMarketingCloudApi api, OutboundPipelines pipelines, SecretResolver secrets, TimeProvider clock, ILogger<MarketingCloudClient> logger)
{
    public const string PipelineKey = "report:sfmc";
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan RefreshMargin = TimeSpan.FromSeconds(60);

    private readonly ConcurrentDictionary<string, CachedToken> _tokens = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _fetch = new(1, 1);

    /// <summary>Upserts <paramref name="rows"/> (<c>{"items":[…]}</c>) into the write-back's Data Extension.</summary>
    public async Task<OutboundResult> UpsertAsync(SfmcWriteBack writeBack, JsonObject rows, CancellationToken ct)
    {
        var pipeline = pipelines.Reports(PipelineKey, AttemptTimeout);
        var first = await pipeline.ExecuteAsync(attemptCt => SendOnceAsync(writeBack, rows, forceRefresh: false, attemptCt), ct);
        if (first.StatusCode != (int)HttpStatusCode.Unauthorized)
            return first;
        var again = await pipeline.ExecuteAsync(attemptCt => SendOnceAsync(writeBack, rows, forceRefresh: true, attemptCt), ct);
        again = again with { Duration = first.Duration + again.Duration };
        return again.StatusCode == (int)HttpStatusCode.Unauthorized
            ? again with { Failure = FailureKind.Permanent, Error = $"HTTP 401 again with a fresh token: check the Installed Package's client id and '{writeBack.ClientSecretSecret}' secret and its Data Extension permissions" }
            : again;
    }

    private async Task<OutboundResult> SendOnceAsync(SfmcWriteBack writeBack, JsonObject rows, bool forceRefresh, CancellationToken ct)
    {
        string token;
        try
        {
            token = await TokenAsync(writeBack, forceRefresh, ct);
        }
        catch (MissingSecretException e)
        {
            return new OutboundResult { Failure = FailureKind.Permanent, Error = $"no Marketing Cloud token: {e.Message}" };
        }
        catch (TokenRefusedException e)
        {
            return new OutboundResult { Failure = e.Permanent ? FailureKind.Permanent : FailureKind.Transient, StatusCode = e.Status, Error = $"no Marketing Cloud token: {e.Message}" };
        }
        using var response = await api.UpsertRowsAsync(RowsUrl(writeBack), rows, "Bearer " + token, ct);
        return await HttpOutcome.FromResponseAsync(response, clock, ct);
    }

    private static Uri RowsUrl(SfmcWriteBack writeBack) =>
        new(writeBack.RestBase, $"data/v1/async/dataextensions/key:{Uri.EscapeDataString(writeBack.DataExtensionKey)}/rows");

    /// <summary>
    /// A preview of <see cref="UpsertAsync"/>'s upsert: the same Refit call through <paramref name="capture"/>, with the
    /// access token (fetched from the tenant's <c>/v2/token</c> at send time, not in a preview) masked.
    /// </summary>
    public static async Task PreviewUpsertAsync(SfmcWriteBack writeBack, JsonObject rows, HttpMessageHandler capture, CancellationToken ct)
    {
        using var client = new HttpClient(capture, disposeHandler: false) { BaseAddress = new Uri(BaseAddress) };
        var api = Refit.RestService.For<IMarketingCloudApi>(client, Delivery.DeliveryServiceCollectionExtensions.Refit);
        using var _ = await api.UpsertRowsAsync(RowsUrl(writeBack), rows, "Bearer " + Preview.PreviewMasking.Mask, ct);
    }

    /// <summary>Refit wants a base address even when every call passes its whole URL ([Url]).</summary>
    internal const string BaseAddress = "https://auth.marketingcloudapis.com";

    private async Task<string> TokenAsync(SfmcWriteBack writeBack, bool forceRefresh, CancellationToken ct)
    {
        var key = $"{writeBack.AuthBase}\n{writeBack.ClientId}\n{writeBack.AccountId}";
        var seen = _tokens.GetValueOrDefault(key);
        if (!forceRefresh && seen is not null && clock.GetUtcNow() < seen.RefreshAt)
            return seen.Token;
        await _fetch.WaitAsync(ct);
        try
        {
            // Another caller may have fetched while this one waited: use that token unless it is the one refused.
            if (_tokens.GetValueOrDefault(key) is { } current && clock.GetUtcNow() < current.RefreshAt && (!forceRefresh || !ReferenceEquals(current, seen)))
                return current.Token;
            var request = new JsonObject
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = writeBack.ClientId,
                ["client_secret"] = secrets.Resolve(writeBack.ClientSecretSecret),
            };
            if (writeBack.AccountId is not null)
                request["account_id"] = writeBack.AccountId;
            using var response = await api.TokenAsync(new Uri(writeBack.AuthBase, "v2/token"), request, ct);
            if (!response.IsSuccessStatusCode)
                throw new TokenRefusedException($"the token endpoint answered HTTP {(int)response.StatusCode}", (int)response.StatusCode,
                    permanent: !HttpOutcome.IsTransient(response.StatusCode));
            TokenResponse? token;
            try
            {
                token = await response.Content.ReadFromJsonAsync<TokenResponse>(ct);
            }
            catch (JsonException)
            {
                throw new TokenRefusedException("the token endpoint answered with a body that is not a token response", (int)response.StatusCode, permanent: false);
            }
            if (string.IsNullOrEmpty(token?.AccessToken) || !OutboundHeaders.IsSafeValue(token.AccessToken))
                throw new TokenRefusedException("the token endpoint answered without a usable access_token", (int)response.StatusCode, permanent: false);
            var lifetime = TimeSpan.FromSeconds(Math.Max(token.ExpiresIn, 1));
            var margin = lifetime > 2 * RefreshMargin ? RefreshMargin : lifetime / 2;
            _tokens[key] = new CachedToken(token.AccessToken, clock.GetUtcNow() + lifetime - margin);
            logger.LogInformation("Fetched a Marketing Cloud access token for client {ClientId}, valid for {Minutes:0} minutes.", writeBack.ClientId, lifetime.TotalMinutes);
            return token.AccessToken;
        }
        finally
        {
            _fetch.Release();
        }
    }

    private sealed class TokenRefusedException(string message, int status, bool permanent) : Exception(message)
    {
        public int Status { get; } = status;
        public bool Permanent { get; } = permanent;
    }

    // Classes, not records: a record's generated ToString would print the token.
    private sealed class CachedToken(string token, DateTimeOffset refreshAt)
    {
        public string Token { get; } = token;
        public DateTimeOffset RefreshAt { get; } = refreshAt;
    }

    private sealed class TokenResponse
    {
        [JsonPropertyName("access_token")] public string? AccessToken { get; init; }
        [JsonPropertyName("expires_in")] public long ExpiresIn { get; init; }
    }
}
