namespace ExternalAction.Actions;

/// <summary>
/// How callers (the journey platform) authenticate to an action. Exactly one scheme is active; it is the one the
/// action's OpenAPI document declares.
/// </summary>
public sealed record CallerAuthOptions
{
    /// <summary><c>apiKey</c>, <c>basic</c> or <c>oauth2</c>.</summary>
    public string? Scheme { get; set; }
    public ApiKeyAuthOptions ApiKey { get; init; } = new();
    public BasicAuthOptions Basic { get; init; } = new();
    public OAuth2AuthOptions OAuth2 { get; init; } = new();
}

/// <summary>API keys accepted in a header (and as <c>Authorization: Bearer &lt;key&gt;</c>).</summary>
public sealed record ApiKeyAuthOptions
{
    public string HeaderName { get; init; } = "X-API-Key";
    /// <summary>Accepted keys. Compared in constant time; never logged.</summary>
    public List<string> Keys { get; init; } = [];
}

/// <summary>HTTP Basic users: user name → password.</summary>
public sealed record BasicAuthOptions
{
    public Dictionary<string, string> Users { get; init; } = [];
}

/// <summary>OAuth2 bearer JWTs, either issued by this service (client credentials) or by an external issuer.</summary>
public sealed record OAuth2AuthOptions
{
    /// <summary><c>issue</c>: this service's <c>POST /oauth/token</c> mints the JWTs; <c>external</c>: another issuer does.</summary>
    public string Mode { get; init; } = "issue";
    public string? Issuer { get; init; }
    public string? Audience { get; init; }
    /// <summary>External mode: OpenID Connect metadata address (…/.well-known/openid-configuration).</summary>
    public string? MetadataAddress { get; init; }
    /// <summary>External mode: a JWKS URL, when the issuer publishes no metadata document.</summary>
    public string? JwksUri { get; init; }
    /// <summary>External mode: the issuer's token endpoint, declared in the OpenAPI document for the platform.</summary>
    public string? TokenUrl { get; init; }
    /// <summary>Issue mode: the HMAC-SHA256 signing key (base64, at least 32 bytes).</summary>
    public string? SigningKey { get; init; }
    public int TokenLifetimeMinutes { get; init; } = 60;
    public int ClockSkewSeconds { get; init; } = 60;
    /// <summary>Issue mode: client id → SHA-256 hash of the client secret (hex).</summary>
    public Dictionary<string, string> Clients { get; init; } = [];
}
