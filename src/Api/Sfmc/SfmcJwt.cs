using System.Text.Json;
using System.Text.Json.Nodes;
using ExternalAction.ServiceDefaults.Secrets;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ExternalAction.Api.Sfmc;

/// <summary>
/// Verifies the JWTs Journey Builder sends (the whole body of <c>execute</c>, and of a configuration call when it is
/// signed): HS256 only (pinned through <see cref="TokenValidationParameters.ValidAlgorithms"/>, so <c>none</c>, HS512 or
/// RS256 headers are refused), signed with one of the configured signing secrets (two during a rotation), <c>exp</c>
/// honoured when present but not required (no source says Journey Builder sends it). The token never reaches a log line
/// or an error message; a refusal says why in words.
/// </summary>
public sealed class SfmcJwt
{
    /// <summary>HMAC-SHA256 keys shorter than this are refused by Microsoft.IdentityModel (and are weak).</summary>
    public const int MinimumKeyBytes = 32;

    private static readonly string[] Algorithms = [SecurityAlgorithms.HmacSha256];

    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly IOptions<SfmcOptions> _options;
    private readonly SecretResolver _secrets;
    private readonly Lazy<IReadOnlyList<SecurityKey>> _keys;

    public SfmcJwt(IOptions<SfmcOptions> options, SecretResolver secrets)
    {
        _options = options;
        _secrets = secrets;
        _keys = new(() => options.Value.SigningSecrets
            .Select(s => (SecurityKey)new SymmetricSecurityKey(KeyBytes(secrets.Resolve(s.Name), s.Encoding)) { KeyId = null })
            .ToList());
    }

    /// <summary>Whether any signing secret is configured and usable (start-up checks them; validate reports it to the marketer).</summary>
    public IEnumerable<string> Problems() => Problems(_options.Value, _secrets);

    public static IEnumerable<string> Problems(SfmcOptions options, SecretResolver secrets)
    {
        if (options.SigningSecrets.Count is 0 or > 2)
            yield return $"{SfmcOptions.Section}:SigningSecrets must name one JWT signing secret (two during a rotation), the Installed Package's 'JWT Signing Secret'.";
        for (var i = 0; i < options.SigningSecrets.Count; i++)
        {
            var s = options.SigningSecrets[i];
            var key = $"{SfmcOptions.Section}:SigningSecrets:{i}";
            if (!SfmcSecretEncodings.All.Contains(s.Encoding))
                yield return $"{key}:Encoding must be one of {string.Join(", ", SfmcSecretEncodings.All)}.";
            else if (!secrets.TryResolve(s.Name, out var text))
                yield return $"{key}:Name: {MissingSecretException.Describe(s.Name)}";
            else if (KeyProblem(text, s.Encoding) is { } problem)
                yield return $"{key}: secret '{s.Name}' {problem}";
        }
    }

    /// <summary>Why a secret's text cannot be an HS256 key (never showing it), or null.</summary>
    public static string? KeyProblem(string text, string encoding)
    {
        byte[] bytes;
        try
        {
            bytes = KeyBytes(text, encoding);
        }
        catch (FormatException)
        {
            return $"is not valid {encoding}.";
        }
        return bytes.Length < MinimumKeyBytes
            ? $"gives a {bytes.Length}-byte key; HS256 needs at least {MinimumKeyBytes} bytes (256 bits), and Microsoft.IdentityModel refuses shorter keys. A Key Management salt key must be at least 32 bytes; the Installed Package's JWT signing secret always is."
            : null;
    }

    /// <exception cref="FormatException">The text is not valid in its encoding.</exception>
    public static byte[] KeyBytes(string text, string encoding) => encoding switch
    {
        SfmcSecretEncodings.Hex => Convert.FromHexString(string.Concat(text.Where(c => !char.IsWhiteSpace(c)))),
        SfmcSecretEncodings.Base64 => Convert.FromBase64String(text.Trim()),
        _ => System.Text.Encoding.UTF8.GetBytes(text),
    };

    public async Task<JwtVerdict> VerifyAsync(string token)
    {
        var parameters = new TokenValidationParameters
        {
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateLifetime = true,
            RequireExpirationTime = false,
            RequireSignedTokens = true,
            ValidAlgorithms = Algorithms,
            IssuerSigningKeys = _keys.Value,
            TryAllIssuerSigningKeys = true,
            ClockSkew = TimeSpan.FromSeconds(_options.Value.ClockSkewSeconds),
        };
        TokenValidationResult result;
        try
        {
            // ValidAlgorithms refuses any other algorithm; reading the header first only makes the refusal say so.
            if (_handler.CanReadToken(token) && new JsonWebToken(token).Alg is var alg && alg != SecurityAlgorithms.HmacSha256)
                return JwtVerdict.Refused(alg is null or "none" or "" ? "the token is unsigned (alg none); it must be signed with HS256"
                    : "the token is not signed with HS256, the only algorithm accepted (Journey Builder signs with HS256)");
            result = await _handler.ValidateTokenAsync(token, parameters);
        }
        catch (Exception e) when (e is ArgumentException or SecurityTokenException)
        {
            return JwtVerdict.Refused(Reason(e, token));
        }
        if (!result.IsValid)
            return JwtVerdict.Refused(Reason(result.Exception, token));

        var jwt = (JsonWebToken)result.SecurityToken;
        try
        {
            return JsonNode.Parse(Base64UrlEncoder.DecodeBytes(jwt.EncodedPayload)) is JsonObject payload
                ? JwtVerdict.Valid(payload)
                : JwtVerdict.Malformed("the token's payload is not a JSON object");
        }
        catch (JsonException)
        {
            return JwtVerdict.Malformed("the token's payload is not valid JSON");
        }
    }

    /// <summary>Why the token was refused, in words a Journey Builder admin can act on; never the token, never a secret.</summary>
    private static string Reason(Exception? e, string token) => e switch
    {
        SecurityTokenInvalidAlgorithmException => "the token is not signed with HS256, the only algorithm accepted (Journey Builder signs with HS256)",
        SecurityTokenExpiredException => "the token has expired (its exp claim is in the past)",
        SecurityTokenNotYetValidException => "the token is not valid yet (its nbf claim is in the future)",
        SecurityTokenInvalidSignatureException when token.EndsWith('.') => "the token is unsigned (alg none); it must be signed with HS256",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException =>
            "the signature does not match the configured JWT signing secret (the Installed Package's 'JWT Signing Secret', ExternalAction:Sfmc:SigningSecrets)",
        SecurityTokenMalformedException or ArgumentException => "the body is not a compact JWT",
        null => "the token is not valid",
        _ => $"the token is not valid ({e.GetType().Name})",
    };
}

/// <summary>What became of a token: valid with its payload, refused (401), or signed but with a payload that is not an object (400).</summary>
public sealed record JwtVerdict(JsonObject? Payload, string? Refusal, string? Malformation)
{
    public static JwtVerdict Valid(JsonObject payload) => new(payload, null, null);
    public static JwtVerdict Refused(string reason) => new(null, reason, null);
    public static JwtVerdict Malformed(string reason) => new(null, null, reason);
}
