using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using ExternalAction.Processor.Outbound;
using ExternalAction.ServiceDefaults.Secrets;
using Microsoft.Extensions.Options;

namespace ExternalAction.Processor.Callbacks;

/// <summary>
/// The IMS access token for callbacks (OAuth Server-to-Server client credentials), cached until
/// <see cref="CallbackOptions.RefreshBeforeExpirySeconds"/> before it expires. One caller fetches at a time; the others
/// wait and share its token. Neither the client secret nor the token is ever logged or put in an exception message.
/// </summary>
public sealed class ImsTokenProvider(IHttpClientFactory httpClients, IOptions<CallbackOptions> options, SecretResolver secrets, TimeProvider clock, ILogger<ImsTokenProvider> logger)
{
    private readonly SemaphoreSlim _fetch = new(1, 1);
    // One reference, swapped whole, so a reader never sees a token paired with another token's expiry.
    private volatile CachedToken? _cached;

    /// <summary>
    /// The cached token, or a fresh one when there is none, it is near expiry, or <paramref name="forceRefresh"/> (after
    /// the platform answered 401). Null when no token endpoint is configured. Throws <see cref="HttpRequestException"/>
    /// when the endpoint fails.
    /// </summary>
    public async Task<string?> GetTokenAsync(bool forceRefresh, CancellationToken ct)
    {
        var settings = options.Value;
        if (string.IsNullOrWhiteSpace(settings.ImsTokenUrl))
            return null;
        var seen = _cached;
        if (!forceRefresh && seen is not null && clock.GetUtcNow() < seen.RefreshAt)
            return seen.Token;

        await _fetch.WaitAsync(ct);
        try
        {
            // Another caller may have fetched while this one waited: use that token unless it is the one being refused.
            if (_cached is { } current && clock.GetUtcNow() < current.RefreshAt && (!forceRefresh || !ReferenceEquals(current, seen)))
                return current.Token;

            using var response = await httpClients.CreateClient(nameof(ImsTokenProvider)).PostAsync(settings.ImsTokenUrl, new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = settings.ClientId ?? "",
                ["client_secret"] = secrets.Resolve(settings.ClientSecretName),
                ["scope"] = settings.Scopes,
            }), ct);
            if (!response.IsSuccessStatusCode)
                throw new HttpRequestException($"The IMS token endpoint answered HTTP {(int)response.StatusCode}: check ClientId, the '{settings.ClientSecretName}' secret and Scopes.", null, response.StatusCode);
            TokenResponse? token;
            try
            {
                token = await response.Content.ReadFromJsonAsync<TokenResponse>(ct);
            }
            catch (JsonException)
            {
                throw new HttpRequestException("The IMS token endpoint answered with a body that is not a token response.");
            }
            if (string.IsNullOrEmpty(token?.AccessToken))
                throw new HttpRequestException("The IMS token endpoint answered without an access_token.");
            // It goes into an Authorization header: a value that could break the header is never used (nor logged).
            if (!OutboundHeaders.IsSafeValue(token.AccessToken))
                throw new HttpRequestException("The IMS token endpoint answered with an access_token that is not a valid header value.");

            // IMS v3 gives expires_in in seconds; the older v1 endpoint gave milliseconds.
            var lifetime = token.ExpiresIn > 10_000_000 ? TimeSpan.FromMilliseconds(token.ExpiresIn) : TimeSpan.FromSeconds(token.ExpiresIn);
            var margin = TimeSpan.FromSeconds(Math.Min(settings.RefreshBeforeExpirySeconds, lifetime.TotalSeconds / 2));
            _cached = new CachedToken(token.AccessToken, clock.GetUtcNow() + lifetime - margin);
            logger.LogInformation("Fetched an IMS access token valid for {Minutes:0} minutes.", lifetime.TotalMinutes);
            return token.AccessToken;
        }
        finally
        {
            _fetch.Release();
        }
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
