namespace ExternalAction.Actions;

/// <summary>How a webhook channel authenticates: none, bearer, basic, apiKey or hmac (HMAC-SHA256 signature header).</summary>
public sealed record ChannelAuth
{
    public string Type { get; init; } = ChannelAuthTypes.None;
    /// <summary>Name of the secret (token, password, key or HMAC key) resolved from configuration <c>Secrets:{name}</c>.</summary>
    public string? Secret { get; init; }
    public string? Username { get; init; }
    /// <summary>Header carrying the API key or the signature.</summary>
    public string? HeaderName { get; init; }
}
