using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Web;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;
using WireMock.Types;
using WireMock.Util;

namespace ExternalAction.TestSupport;

/// <summary>
/// An OpenID Connect provider played by WireMock over https (its own certificate): the discovery document, a JWKS with
/// an RSA key made here, an authorization endpoint that "signs in" <see cref="NextUser"/> at once (it checks the client,
/// the redirect URI and the PKCE challenge, remembers the nonce, redirects back with a one-time code), a token endpoint
/// that checks the client secret, the code and the PKCE verifier and answers an id_token signed with that key and
/// carrying the nonce of the authorization request, and an end-session endpoint. <see cref="Tamper"/> makes the next
/// id_tokens wrong in one way.
/// </summary>
public sealed class OidcProvider : IDisposable
{
    public const string ClientId = "support-console";
    public const string ClientSecret = "oidc-client-secret-value-0123456789";

    private readonly RsaSecurityKey _key;
    private readonly RsaSecurityKey _otherKey = new(RSA.Create(2048)) { KeyId = "not-published" };
    private readonly ConcurrentDictionary<string, Grant> _grants = new();
    private readonly X509Certificate2 _certificate;

    public OidcProvider()
    {
        _key = new RsaSecurityKey(RSA.Create(2048)) { KeyId = $"test-{Guid.NewGuid():N}" };
        _certificate = SelfSigned();
        Server = WireMockServer.Start(new WireMockServerSettings
        {
            UseSSL = true,
            CertificateSettings = new WireMockCertificateSettings { X509Certificate = _certificate },
        });
        Stub();
    }

    public WireMockServer Server { get; }

    /// <summary>The issuer (and the Authority to configure).</summary>
    public string Authority => Server.Url!;

    /// <summary>The claims (besides iss, aud, nonce, iat, exp) of whoever signs in next.</summary>
    public Dictionary<string, object> NextUser { get; set; } = new() { ["sub"] = "u-1", ["preferred_username"] = "olivia" };

    public TokenTamper Tamper { get; set; }

    /// <summary>Whether the discovery document lists an end_session_endpoint.</summary>
    public bool PublishEndSession { get; set; } = true;

    public ConcurrentQueue<IReadOnlyDictionary<string, string>> AuthorizationRequests { get; } = new();
    public ConcurrentQueue<IReadOnlyDictionary<string, string>> TokenRequests { get; } = new();
    public ConcurrentQueue<IReadOnlyDictionary<string, string>> EndSessionRequests { get; } = new();

    /// <summary>A handler for the Api's back channel that trusts this provider's self-signed certificate (and no other).</summary>
    public HttpMessageHandler TrustingHandler() => new HttpClientHandler
    {
        ServerCertificateCustomValidationCallback = (_, certificate, _, errors) =>
            errors == System.Net.Security.SslPolicyErrors.None || certificate?.Thumbprint == _certificate.Thumbprint,
    };

    private static X509Certificate2 SelfSigned()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        // Kestrel needs the private key in a form it can use on Linux: a round trip through PKCS#12.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
    }

    private void Stub()
    {
        Server.Given(Request.Create().WithPath("/.well-known/openid-configuration").UsingGet()).RespondWith(Response.Create().WithCallback(_ =>
        {
            var document = new Dictionary<string, object>
            {
                ["issuer"] = Authority,
                ["authorization_endpoint"] = Authority + "/authorize",
                ["token_endpoint"] = Authority + "/token",
                ["jwks_uri"] = Authority + "/jwks",
                ["response_types_supported"] = new[] { "code" },
                ["subject_types_supported"] = new[] { "public" },
                ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
                ["code_challenge_methods_supported"] = new[] { "S256" },
            };
            if (PublishEndSession)
                document["end_session_endpoint"] = Authority + "/logout";
            return Json(200, document);
        }));
        var parameters = _key.Rsa.ExportParameters(false);
        Server.Given(Request.Create().WithPath("/jwks").UsingGet()).RespondWith(Response.Create().WithStatusCode(200)
            .WithHeader("Content-Type", "application/json")
            .WithBody(JsonSerializer.Serialize(new
            {
                keys = new[]
                {
                    new { kty = "RSA", use = "sig", alg = "RS256", kid = _key.KeyId, n = Base64UrlEncoder.Encode(parameters.Modulus), e = Base64UrlEncoder.Encode(parameters.Exponent) },
                },
            })));
        Server.Given(Request.Create().WithPath("/authorize").UsingGet()).RespondWith(Response.Create().WithCallback(Authorize));
        Server.Given(Request.Create().WithPath("/token").UsingPost()).RespondWith(Response.Create().WithCallback(Token));
        Server.Given(Request.Create().WithPath("/logout").UsingGet()).RespondWith(Response.Create().WithCallback(request =>
        {
            var query = Query(request);
            EndSessionRequests.Enqueue(query);
            var back = query.GetValueOrDefault("post_logout_redirect_uri");
            if (back is null)
                return Text(200, "signed out");
            return Redirect(back + (query.TryGetValue("state", out var state) ? "?state=" + Uri.EscapeDataString(state) : ""));
        }));
    }

    private ResponseMessage Authorize(IRequestMessage request)
    {
        var query = Query(request);
        AuthorizationRequests.Enqueue(query);
        if (query.GetValueOrDefault("client_id") != ClientId || query.GetValueOrDefault("response_type") != "code"
            || query.GetValueOrDefault("code_challenge_method") != "S256" || !query.TryGetValue("code_challenge", out var challenge)
            || !query.TryGetValue("redirect_uri", out var redirect) || !query.TryGetValue("nonce", out var nonce)
            || !(query.GetValueOrDefault("scope") ?? "").Split(' ').Contains("openid"))
            return Text(400, "bad authorization request");
        var code = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(24));
        _grants[code] = new Grant(nonce, challenge, redirect, new Dictionary<string, object>(NextUser));
        return Redirect($"{redirect}?code={Uri.EscapeDataString(code)}&state={Uri.EscapeDataString(query.GetValueOrDefault("state") ?? "")}");
    }

    private ResponseMessage Token(IRequestMessage request)
    {
        var form = HttpUtility.ParseQueryString(request.Body ?? "");
        var fields = form.AllKeys.OfType<string>().ToDictionary(k => k, k => form[k]!);
        TokenRequests.Enqueue(fields);
        var (id, secret) = (fields.GetValueOrDefault("client_id"), fields.GetValueOrDefault("client_secret"));
        if (request.Headers?.TryGetValue("Authorization", out var authorization) == true && authorization.ToString()!.StartsWith("Basic ", StringComparison.Ordinal))
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(authorization.ToString()!["Basic ".Length..])).Split(':', 2);
            (id, secret) = (Uri.UnescapeDataString(pair[0]), Uri.UnescapeDataString(pair[1]));
        }
        if (id != ClientId || secret != ClientSecret)
            return Json(401, new Dictionary<string, object> { ["error"] = "invalid_client" });
        if (fields.GetValueOrDefault("grant_type") != "authorization_code" || fields.GetValueOrDefault("code") is not { } code
            || !_grants.TryRemove(code, out var grant) || fields.GetValueOrDefault("redirect_uri") != grant.RedirectUri
            || fields.GetValueOrDefault("code_verifier") is not { } verifier
            || Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))) != grant.CodeChallenge)
            return Json(400, new Dictionary<string, object> { ["error"] = "invalid_grant" });
        return Json(200, new Dictionary<string, object>
        {
            ["access_token"] = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(24)),
            ["token_type"] = "Bearer",
            ["expires_in"] = 300,
            ["id_token"] = Sign(grant.Claims, grant.Nonce),
        });
    }

    /// <summary>A token for a bearer call (no nonce): <see cref="NextUser"/>'s claims, or these; <see cref="Tamper"/> applies.</summary>
    public string IssueToken(Dictionary<string, object>? claims = null) => Sign(claims ?? NextUser, null);

    private string Sign(Dictionary<string, object> claims, string? nonce)
    {
        var now = DateTime.UtcNow;
        var tamper = Tamper;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = tamper == TokenTamper.WrongIssuer ? "https://someone-else.example" : Authority,
            Audience = tamper == TokenTamper.WrongAudience ? "another-client" : ClientId,
            IssuedAt = tamper == TokenTamper.Expired ? now.AddHours(-2) : now,
            NotBefore = tamper == TokenTamper.Expired ? now.AddHours(-2) : now,
            Expires = tamper == TokenTamper.Expired ? now.AddHours(-1) : now.AddMinutes(5),
            Claims = nonce is null ? new Dictionary<string, object>(claims)
                : new Dictionary<string, object>(claims) { ["nonce"] = tamper == TokenTamper.WrongNonce ? "a-nonce-never-asked-for" : nonce },
            SigningCredentials = new SigningCredentials(tamper == TokenTamper.UnknownKey ? _otherKey : _key, SecurityAlgorithms.RsaSha256),
        };
        var token = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
        if (tamper != TokenTamper.ChangedPayload)
            return token;
        // The payload changed after signing (a role added): the signature no longer matches.
        var parts = token.Split('.');
        var payload = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(Base64UrlEncoder.Decode(parts[1]))!;
        var changed = payload.ToDictionary(p => p.Key, p => (object)p.Value);
        changed["sub"] = "someone-else";
        return $"{parts[0]}.{Base64UrlEncoder.Encode(JsonSerializer.Serialize(changed))}.{parts[2]}";
    }

    private static Dictionary<string, string> Query(IRequestMessage request) =>
        (request.Query ?? new Dictionary<string, WireMockList<string>>()).ToDictionary(q => q.Key, q => q.Value.ToString()!);

    private static ResponseMessage Json(int status, Dictionary<string, object> body) => new()
    {
        StatusCode = status,
        Headers = new Dictionary<string, WireMockList<string>> { ["Content-Type"] = new("application/json"), ["Cache-Control"] = new("no-store") },
        BodyData = new BodyData { DetectedBodyType = BodyType.String, BodyAsString = JsonSerializer.Serialize(body) },
    };

    private static ResponseMessage Text(int status, string body) => new()
    {
        StatusCode = status,
        Headers = new Dictionary<string, WireMockList<string>> { ["Content-Type"] = new("text/plain") },
        BodyData = new BodyData { DetectedBodyType = BodyType.String, BodyAsString = body },
    };

    private static ResponseMessage Redirect(string location) => new()
    {
        StatusCode = 302,
        Headers = new Dictionary<string, WireMockList<string>> { ["Location"] = new(location) },
    };

    public void Dispose()
    {
        Server.Stop();
        Server.Dispose();
        _key.Rsa.Dispose();
        _certificate.Dispose();
        _otherKey.Rsa.Dispose();
    }

    private sealed record Grant(string Nonce, string CodeChallenge, string RedirectUri, Dictionary<string, object> Claims);
}

/// <summary>How the next id_tokens are wrong.</summary>
public enum TokenTamper
{
    None,
    Expired,
    WrongIssuer,
    WrongAudience,
    WrongNonce,
    UnknownKey,
    ChangedPayload,
}
