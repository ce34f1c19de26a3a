using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ExternalAction.TestSupport;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace ExternalAction.Api.Tests.Authentication;

/// <summary>Each caller scheme accepts the right credentials and answers 401 in the contract's shape to missing, wrong, expired or tampered ones.</summary>
public sealed class CallerAuthenticationTests
{
    private const string StatusPath = "/actions/lead-scoring/status";
    private static readonly string SigningKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private const string ClientSecret = "client-secret-0123456789";

    private static ApiFactory Factory(Dictionary<string, string?> settings) => new(settings);

    private static Dictionary<string, string?> Scheme(string scheme, params (string Key, string Value)[] more)
    {
        var settings = new Dictionary<string, string?> { ["ExternalAction:Auth:Scheme"] = scheme, ["ExternalAction:Auth:ApiKey:Keys:0"] = null };
        foreach (var (key, value) in more)
            settings[key] = value;
        return settings;
    }

    private static async Task AssertUnauthorized(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), body);
        using var json = JsonDocument.Parse(body);
        Assert.That(json.RootElement.GetProperty("status").GetString(), Is.EqualTo("error"));
        Assert.That(json.RootElement.GetProperty("code").GetString(), Is.EqualTo("UNAUTHORIZED"));
        Assert.That(response.Headers.WwwAuthenticate, Is.Not.Empty);
    }

    private static HttpRequestMessage Get(string path, Action<HttpRequestHeaders>? headers = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        headers?.Invoke(request.Headers);
        return request;
    }

    [Test]
    public async Task An_api_key_is_accepted_in_its_header_and_as_a_bearer_token()
    {
        using var factory = new ApiFactory();
        using var client = factory.CreateClient();
        using var inHeader = await client.SendAsync(Get(StatusPath, h => h.Add("X-API-Key", ApiFactory.ApiKey)));
        using var asBearer = await client.SendAsync(Get(StatusPath, h => h.Authorization = new("Bearer", ApiFactory.ApiKey)));
        Assert.That(inHeader.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(asBearer.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [TestCase(null)]
    [TestCase("wrong-key")]
    [TestCase("")]
    public async Task A_missing_or_wrong_api_key_is_a_401(string? key)
    {
        using var factory = new ApiFactory();
        using var client = factory.CreateClient();
        await AssertUnauthorized(await client.SendAsync(Get(StatusPath, h => { if (key is not null) h.TryAddWithoutValidation("X-API-Key", key); })));
    }

    [Test]
    public async Task A_custom_api_key_header_is_honoured()
    {
        using var factory = Factory(Scheme("apiKey", ("ExternalAction:Auth:ApiKey:HeaderName", "X-Partner-Key"), ("ExternalAction:Auth:ApiKey:Keys:0", "partner-key-0123456789")));
        using var client = factory.CreateClient();
        using var ok = await client.SendAsync(Get(StatusPath, h => h.Add("X-Partner-Key", "partner-key-0123456789")));
        Assert.That(ok.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        await AssertUnauthorized(await client.SendAsync(Get(StatusPath, h => h.Add("X-API-Key", "partner-key-0123456789"))));
    }

    [TestCase("adobe", "basic-password-123", HttpStatusCode.OK)]
    [TestCase("adobe", "wrong", HttpStatusCode.Unauthorized)]
    [TestCase("nobody", "basic-password-123", HttpStatusCode.Unauthorized)]
    public async Task Basic_credentials_are_checked(string user, string password, HttpStatusCode expected)
    {
        using var factory = Factory(Scheme("basic", ("ExternalAction:Auth:Basic:Users:adobe", "basic-password-123")));
        using var client = factory.CreateClient();
        using var response = await client.SendAsync(Get(StatusPath, h => h.Authorization = new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")))));
        if (expected == HttpStatusCode.OK)
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        else
            await AssertUnauthorized(response);
    }

    private static Dictionary<string, string?> Issuing() => Scheme("oauth2",
        ("ExternalAction:Auth:OAuth2:Mode", "issue"),
        ("ExternalAction:Auth:OAuth2:SigningKey", SigningKey),
        ("ExternalAction:Auth:OAuth2:Clients:adobe-client", Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ClientSecret)))),
        ("ExternalAction:Auth:OAuth2:ClockSkewSeconds", "0"));

    private static async Task<HttpResponseMessage> RequestToken(HttpClient client, string clientId, string secret, string grant = "client_credentials") =>
        await client.PostAsync("/oauth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = grant, ["client_id"] = clientId, ["client_secret"] = secret,
        }));

    [Test]
    public async Task The_token_endpoint_issues_a_jwt_that_opens_the_endpoints()
    {
        using var factory = Factory(Issuing());
        using var client = factory.CreateClient();
        using var tokenResponse = await RequestToken(client, "adobe-client", ClientSecret);
        Assert.That(tokenResponse.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using var token = JsonDocument.Parse(await tokenResponse.Content.ReadAsStringAsync());
        Assert.That(token.RootElement.GetProperty("token_type").GetString(), Is.EqualTo("Bearer"));
        Assert.That(token.RootElement.GetProperty("expires_in").GetInt32(), Is.EqualTo(3600));
        var jwt = token.RootElement.GetProperty("access_token").GetString()!;
        using var ok = await client.SendAsync(Get(StatusPath, h => h.Authorization = new("Bearer", jwt)));
        Assert.That(ok.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        // Tampering with the payload breaks the signature.
        var parts = jwt.Split('.');
        var payload = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[1])).Replace("adobe-client", "evil-client", StringComparison.Ordinal);
        var tampered = $"{parts[0]}.{Base64UrlEncoder.Encode(payload)}.{parts[2]}";
        await AssertUnauthorized(await client.SendAsync(Get(StatusPath, h => h.Authorization = new("Bearer", tampered))));
    }

    [Test]
    public async Task The_token_endpoint_refuses_bad_clients_and_grants()
    {
        using var factory = Factory(Issuing());
        using var client = factory.CreateClient();
        using var badSecret = await RequestToken(client, "adobe-client", "wrong");
        using var badClient = await RequestToken(client, "someone", ClientSecret);
        using var badGrant = await RequestToken(client, "adobe-client", ClientSecret, "password");
        Assert.That(badSecret.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await badSecret.Content.ReadAsStringAsync(), Does.Contain("invalid_client"));
        Assert.That(badClient.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(badGrant.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await badGrant.Content.ReadAsStringAsync(), Does.Contain("unsupported_grant_type"));
    }

    public static IEnumerable<TestCaseData> BadIssuedTokens()
    {
        var key = new SymmetricSecurityKey(Convert.FromBase64String(SigningKey));
        var otherKey = new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32));
        var now = DateTime.UtcNow;
        yield return new TestCaseData(Token(key, "externalaction", "externalaction", now.AddHours(-2), now.AddHours(-1))).SetName("An expired token is a 401");
        yield return new TestCaseData(Token(key, "someone-else", "externalaction", now, now.AddHours(1))).SetName("A token from another issuer is a 401");
        yield return new TestCaseData(Token(key, "externalaction", "another-audience", now, now.AddHours(1))).SetName("A token for another audience is a 401");
        yield return new TestCaseData(Token(otherKey, "externalaction", "externalaction", now, now.AddHours(1))).SetName("A token signed with another key is a 401");
        yield return new TestCaseData(Token(key, "externalaction", "externalaction", now, null)).SetName("A token without expiry is a 401");
        yield return new TestCaseData(Unsigned()).SetName("An alg none token is a 401");
        yield return new TestCaseData("not.a.jwt").SetName("Garbage is a 401");
    }

    private static string Token(SecurityKey key, string issuer, string audience, DateTime notBefore, DateTime? expires, string algorithm = SecurityAlgorithms.HmacSha256)
    {
        var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        return handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer, Audience = audience, NotBefore = notBefore, IssuedAt = notBefore, Expires = expires,
            Subject = new ClaimsIdentity([new Claim("sub", "adobe-client")]),
            SigningCredentials = new SigningCredentials(key, algorithm),
        });
    }

    private static string Unsigned()
    {
        static string Part(object o) => Base64UrlEncoder.Encode(JsonSerializer.Serialize(o));
        var exp = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        return $"{Part(new { alg = "none", typ = "JWT" })}.{Part(new { iss = "externalaction", aud = "externalaction", sub = "x", exp })}.";
    }

    [TestCaseSource(nameof(BadIssuedTokens))]
    public async Task Bad_issued_tokens_are_refused(string token)
    {
        using var factory = Factory(Issuing());
        using var client = factory.CreateClient();
        await AssertUnauthorized(await client.SendAsync(Get(StatusPath, h => h.TryAddWithoutValidation("Authorization", $"Bearer {token}"))));
    }

    [Test]
    public async Task External_issuer_tokens_are_validated_against_its_published_keys()
    {
        using var rsa = RSA.Create(2048);
        var key = new RsaSecurityKey(rsa) { KeyId = "key-1" };
        var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(rsa.ExportParameters(false)) { KeyId = "key-1" });
        using var wire = WireMockServer.Start();
        wire.Given(Request.Create().WithPath("/.well-known/openid-configuration")).RespondWith(Response.Create().WithBodyAsJson(new
        {
            issuer = "https://issuer.example.com", jwks_uri = $"{wire.Url}/jwks", token_endpoint = $"{wire.Url}/token",
        }));
        wire.Given(Request.Create().WithPath("/jwks")).RespondWith(Response.Create().WithBody(
            JsonSerializer.Serialize(new { keys = new[] { new { kty = jwk.Kty, kid = jwk.Kid, use = "sig", n = jwk.N, e = jwk.E, alg = "RS256" } } })));

        using var factory = Factory(Scheme("oauth2",
            ("ExternalAction:Auth:OAuth2:Mode", "external"),
            ("ExternalAction:Auth:OAuth2:Issuer", "https://issuer.example.com"),
            ("ExternalAction:Auth:OAuth2:Audience", "externalaction-api"),
            ("ExternalAction:Auth:OAuth2:MetadataAddress", $"{wire.Url}/.well-known/openid-configuration")));
        using var client = factory.CreateClient();
        var now = DateTime.UtcNow;
        var good = Token(key, "https://issuer.example.com", "externalaction-api", now, now.AddMinutes(5), SecurityAlgorithms.RsaSha256);
        using var ok = await client.SendAsync(Get(StatusPath, h => h.Authorization = new("Bearer", good)));
        Assert.That(ok.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        // The same issuer and audience signed with HS256 (the public key bytes as an HMAC secret) must not pass.
        var hmac = Token(new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32)), "https://issuer.example.com", "externalaction-api", now, now.AddMinutes(5));
        await AssertUnauthorized(await client.SendAsync(Get(StatusPath, h => h.Authorization = new("Bearer", hmac))));
        var expired = Token(key, "https://issuer.example.com", "externalaction-api", now.AddHours(-2), now.AddHours(-1), SecurityAlgorithms.RsaSha256);
        await AssertUnauthorized(await client.SendAsync(Get(StatusPath, h => h.Authorization = new("Bearer", expired))));
    }

    [Test]
    public async Task An_action_may_use_its_own_scheme()
    {
        using var factory = Factory(new() { ["ExternalAction:Actions:File"] = Path.Combine(Fixtures.Root, "actions", "auth-actions.json") });
        using var client = factory.CreateClient();
        using var deployment = await client.SendAsync(Get("/actions/deployment-auth/status", h => h.Add("X-API-Key", ApiFactory.ApiKey)));
        Assert.That(deployment.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        await AssertUnauthorized(await client.SendAsync(Get("/actions/own-basic/status", h => h.Add("X-API-Key", ApiFactory.ApiKey))));
        using var basic = await client.SendAsync(Get("/actions/own-basic/status", h => h.Authorization = new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("adobe:basic-password-123")))));
        Assert.That(basic.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var doc = JsonDocument.Parse(await client.GetStringAsync("/actions/own-basic/openapi.json"));
        Assert.That(doc.RootElement.GetProperty("components").GetProperty("securitySchemes").GetProperty("basicAuth").GetProperty("scheme").GetString(), Is.EqualTo("basic"));
    }

    [Test]
    public void Outside_development_the_service_refuses_to_start_without_credentials()
    {
        using var factory = Factory(new() { ["ExternalAction:Auth:Scheme"] = null, ["ExternalAction:Auth:ApiKey:Keys:0"] = null });
        var error = Assert.Catch(() => factory.CreateClient())!;
        Assert.That(error.ToString(), Does.Contain("ExternalAction:Auth:Scheme"));
    }

    [Test]
    public async Task In_development_the_documented_key_works_when_nothing_is_configured()
    {
        using var factory = new DevelopmentFactory();
        using var client = factory.CreateClient();
        using var response = await client.SendAsync(Get(StatusPath, h => h.Add("X-API-Key", "dev-key-change-me")));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task A_presented_wrong_credential_never_reaches_the_logs()
    {
        var logs = new LogCapture();
        using var factory = new ApiFactory().WithWebHostBuilder(b => b.ConfigureServices(s => s.AddLogging(l => l.AddProvider(logs).SetMinimumLevel(LogLevel.Trace))));
        using var client = factory.CreateClient();
        using var _ = await client.SendAsync(Get(StatusPath, h => h.Add("X-API-Key", "presented-secret-guess-42")));
        using var __ = await client.SendAsync(Get(StatusPath, h => h.Authorization = new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("u:presented-password-42")))));
        Assert.That(logs.Lines, Is.Not.Empty);
        Assert.That(logs.All, Does.Not.Contain("presented-secret-guess-42").And.Not.Contain("presented-password-42").And.Not.Contain(ApiFactory.ApiKey));
    }

    private sealed class DevelopmentFactory : WebApplicationFactory<Program>
    {
        private readonly string _db = Path.Combine(Path.GetTempPath(), $"dev-{Guid.NewGuid():N}.db");

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Development");
            builder.UseSetting("ExternalAction:Actions:File", Path.Combine(Fixtures.Root, "actions", "intake-actions.json"));
            builder.UseSetting("ExternalAction:Store:ConnectionString", $"Data Source={_db}");
            builder.UseSetting("ExternalAction:Processor:Embedded", "false");
        }
    }
}
