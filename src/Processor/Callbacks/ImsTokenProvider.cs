using System.Net.Http.Json;
using System.Text.Json.Serialization;
using ExternalAction.ServiceDefaults.Secrets;
using Microsoft.Extensions.Options;

namespace ExternalAction.Processor.Callbacks;

/// <summary>
/// The IMS access token for callbacks (OAuth client credentials), cached until shortly before it expires and fetched
/// by one caller at a time while the others wait for it. Neither the secret nor the token is ever logged.
/// </summary>
public sealed class ImsTokenProvider(IHttpClientFactory httpClients, IOptions<CallbackOptions> options, SecretResolver secrets, TimeProvider clock, ILogger<ImsTokenProvider> logger)
{
    private readonly SemaphoreSlim _fetch = new(1, 1);
    private string? _token;
    private DateTimeOffset _refreshAt;

    public async Task<string?> GetTokenAsync(bool forceRefresh, CancellationToken ct)
    {
        var settings = options.Value;
        if (string.IsNullOrWhiteSpace(settings.ImsTokenUrl))
            return null;
        if (!forceRefresh && _token is { } cached && clock.GetUtcNow() < _refreshAt)
            return cached;

        var stale = _token;
        await _fetch.WaitAsync(ct);
        try
        {
            // Another caller may have refreshed while this one waited.
            if (_token is { } fresh && clock.GetUtcNow() < _refreshAt && (!forceRefresh || !ReferenceEquals(fresh, stale)))
                return fresh;

            using var response = await httpClients.CreateClient(nameof(ImsTokenProvider)).PostAsync(settings.ImsTokenUrl, new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = settings.ClientId ?? "",
                ["client_secret"] = secrets.Resolve(settings.ClientSecretName),
                ["scope"] = settings.Scopes,
            }), ct);
            if (!response.IsSuccessStatusCode)
                throw new HttpRequestException($"The IMS token endpoint answered {(int)response.StatusCode}.", null, response.StatusCode);
            var token = await response.Content.ReadFromJsonAsync<TokenResponse>(ct)
                ?? throw new HttpRequestException("The IMS token endpoint answered with no body.");
            // IMS v3 gives expires_in in seconds; the older v1 endpoint gave milliseconds.
            var lifetime = token.ExpiresIn > 10_000_000 ? TimeSpan.FromMilliseconds(token.ExpiresIn) : TimeSpan.FromSeconds(token.ExpiresIn);
            var margin = TimeSpan.FromSeconds(Math.Min(settings.RefreshBeforeExpirySeconds, lifetime.TotalSeconds / 2));
            _token = token.AccessToken;
            _refreshAt = clock.GetUtcNow() + lifetime - margin;
            logger.LogInformation("Fetched an IMS access token valid for {Minutes:0} minutes.", lifetime.TotalMinutes);
            return _token;
        }
        finally
        {
            _fetch.Release();
        }
    }

    private sealed record TokenResponse(
        [property: JsonPropertyName("access_token")] string AccessToken,
        [property: JsonPropertyName("expires_in")] long ExpiresIn);
}
