using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ExternalAction.TestSupport;

namespace ExternalAction.Api.Tests.Authentication;

/// <summary>
/// OAuth2 issue mode: the token URL each OpenAPI document advertises answers (finding 10), the document never
/// carries an unchecked Host header (finding 10), and an oversized anonymous form is a 413 in the contract's error
/// shape, never a 500 (finding 14).
/// </summary>
public sealed class TokenEndpointTests
{
    private const string ClientSecret = "client-secret-0123456789";

    private static Dictionary<string, string?> Issuing(params (string Key, string? Value)[] more)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ExternalAction:Auth:Scheme"] = "oauth2",
            ["ExternalAction:Auth:ApiKey:Keys:0"] = null,
            ["ExternalAction:Auth:OAuth2:Mode"] = "issue",
            ["ExternalAction:Auth:OAuth2:SigningKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["ExternalAction:Auth:OAuth2:Clients:adobe-client"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ClientSecret))),
        };
        foreach (var (key, value) in more)
            settings[key] = value;
        return settings;
    }

    private static FormUrlEncodedContent Form() => new(new Dictionary<string, string>
    {
        ["grant_type"] = "client_credentials", ["client_id"] = "adobe-client", ["client_secret"] = ClientSecret,
    });

    private static async Task<JsonNode> Document(HttpClient client, string path, string? host = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (host is not null)
            request.Headers.Host = host;
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        return JsonNode.Parse(body)!;
    }

    private static string TokenUrl(JsonNode doc) =>
        doc["components"]!["securitySchemes"]!["oauth2"]!["flows"]!["clientCredentials"]!["tokenUrl"]!.GetValue<string>();

    private static string ServerUrl(JsonNode doc) => doc["servers"]![0]!["url"]!.GetValue<string>();

    [TestCase("/actions/lead-scoring/openapi.json")]
    [TestCase("/actions/buying-group/openapi.json")]
    public async Task The_advertised_token_url_issues_a_token_that_opens_the_action(string documentPath)
    {
        using var factory = new ApiFactory(Issuing(("ExternalAction:Intake:PublicBaseUrl", "http://localhost")));
        using var client = factory.CreateClient();
        var doc = await Document(client, documentPath);
        var tokenUrl = new Uri(TokenUrl(doc));
        using var tokenResponse = await client.PostAsync(tokenUrl.PathAndQuery, Form());
        var body = await tokenResponse.Content.ReadAsStringAsync();
        Assert.That(tokenResponse.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"{tokenUrl}: {body}");

        using var status = new HttpRequestMessage(HttpMethod.Get, $"{new Uri(ServerUrl(doc)).AbsolutePath}/status");
        status.Headers.Authorization = new AuthenticationHeaderValue("Bearer", JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString());
        using var ok = await client.SendAsync(status);
        Assert.That(ok.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task An_action_token_url_for_an_unknown_action_is_a_404_in_the_error_shape()
    {
        using var factory = new ApiFactory(Issuing());
        using var client = factory.CreateClient();
        using var response = await client.PostAsync("/actions/no-such-action/oauth/token", Form());
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), body);
        Assert.That(await AdobeSchemas.ValidateAsync("Error", body), Is.Empty, body);
    }

    [Test]
    public async Task Without_a_public_base_url_an_unchecked_host_header_never_reaches_the_document()
    {
        using var factory = new ApiFactory(Issuing());
        using var client = factory.CreateClient();
        foreach (var path in new[] { "/actions/lead-scoring/openapi.json", "/actions/lead-scoring/openapi.yaml" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Host = "evil.example";
            using var response = await client.SendAsync(request);
            Assert.That(await response.Content.ReadAsStringAsync(), Does.Not.Contain("evil.example"), path);
        }
        var doc = await Document(client, "/actions/lead-scoring/openapi.json", "evil.example");
        // Relative to where the document was fetched: still the right paths, and the token URL answers.
        Assert.That(ServerUrl(doc), Is.EqualTo("/actions/lead-scoring"));
        Assert.That(TokenUrl(doc), Is.EqualTo("/actions/lead-scoring/oauth/token"));
        using var token = await client.PostAsync(TokenUrl(doc), Form());
        Assert.That(token.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task The_public_base_url_wins_over_the_host_header()
    {
        using var factory = new ApiFactory(Issuing(("ExternalAction:Intake:PublicBaseUrl", "https://actions.example.com/")));
        using var client = factory.CreateClient();
        var doc = await Document(client, "/actions/lead-scoring/openapi.json", "evil.example");
        Assert.That(ServerUrl(doc), Is.EqualTo("https://actions.example.com/actions/lead-scoring"));
        Assert.That(TokenUrl(doc), Is.EqualTo("https://actions.example.com/actions/lead-scoring/oauth/token"));
    }

    [Test]
    public async Task With_allowed_hosts_configured_only_an_allowed_host_is_used()
    {
        using var factory = new ApiFactory(Issuing(("AllowedHosts", "actions.example.com")));
        using var client = factory.CreateClient();
        var doc = await Document(client, "/actions/lead-scoring/openapi.json", "actions.example.com");
        Assert.That(ServerUrl(doc), Is.EqualTo("http://actions.example.com/actions/lead-scoring"));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/actions/lead-scoring/openapi.json");
        request.Headers.Host = "evil.example";
        using var evil = await client.SendAsync(request);
        Assert.That(evil.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await evil.Content.ReadAsStringAsync(), Does.Not.Contain("evil.example"));
    }

    [Test]
    public async Task A_one_action_deployment_advertises_its_root_token_url()
    {
        using var factory = new ApiFactory(Issuing(("ExternalAction:Actions:File", Path.Combine(Fixtures.Root, "actions", "single-action.json"))));
        using var client = factory.CreateClient();
        var doc = await Document(client, "/openapi.json", "evil.example");
        Assert.That(ServerUrl(doc), Is.EqualTo("/"));
        Assert.That(TokenUrl(doc), Is.EqualTo("/oauth/token"));
        using var token = await client.PostAsync(TokenUrl(doc), Form());
        Assert.That(token.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    public static IEnumerable<TestCaseData> HugeForms()
    {
        var huge = "grant_type=client_credentials&client_id=adobe-client&client_secret=" + new string('x', 25 * 1024 * 1024);
        yield return new TestCaseData(huge, true).SetName("A 25 MB form with Content-Length is a 413");
        yield return new TestCaseData(huge, false).SetName("A 25 MB form without Content-Length is a 413");
        var many = string.Join('&', Enumerable.Range(0, 5000).Select(i => $"k{i}=v"));
        yield return new TestCaseData(many, false).SetName("A form of 5000 fields without Content-Length is a 413");
    }

    [TestCaseSource(nameof(HugeForms))]
    public async Task An_oversized_anonymous_form_is_a_413_in_the_error_shape(string form, bool withLength)
    {
        using var factory = new ApiFactory(Issuing());
        using var client = factory.CreateClient();
        var bytes = Encoding.ASCII.GetBytes(form);
        foreach (var path in new[] { "/oauth/token", "/actions/lead-scoring/oauth/token" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path)
            {
                Content = withLength ? new ByteArrayContent(bytes) : new UnknownLengthContent(bytes),
            };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
            using var response = await client.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge), $"{path}: {body}");
            Assert.That(await AdobeSchemas.ValidateAsync("Error", body), Is.Empty, body);
        }
    }

    /// <summary>A body sent without Content-Length (chunked), so only the form limits can stop it.</summary>
    private sealed class UnknownLengthContent(byte[] bytes) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) => stream.WriteAsync(bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
