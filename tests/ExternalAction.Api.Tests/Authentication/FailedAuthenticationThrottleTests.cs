using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ExternalAction.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ExternalAction.Api.Tests.Authentication;

/// <summary>
/// Failed authentication is throttled per client address (finding 13): past the limit every attempt from that
/// address, right or wrong, answers 429 with Retry-After in the contract's error shape, while other addresses are
/// unaffected. Failures are logged at Debug with a Warning summary, not one Information line each.
/// </summary>
public sealed class FailedAuthenticationThrottleTests
{
    private const string StatusPath = "/actions/lead-scoring/status";
    private const string Attacker = "203.0.113.7";
    private const string Platform = "198.51.100.20";
    private const int Limit = 3;

    /// <summary>TestServer has no client address: this sets it from a test-only header, from outside the app.</summary>
    private sealed class RemoteAddressFromHeader : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                if (context.Request.Headers["X-Test-Remote-Address"].ToString() is { Length: > 0 } address)
                    context.Connection.RemoteIpAddress = IPAddress.Parse(address);
                return nextMiddleware(context);
            });
            next(app);
        };
    }

    private static WebApplicationFactory<Program> Factory(ApiFactory inner, LogCapture? logs = null, Dictionary<string, string?>? settings = null) =>
        inner.WithWebHostBuilder(b =>
        {
            b.UseSetting("ExternalAction:Auth:Throttle:MaxFailures", Limit.ToString(System.Globalization.CultureInfo.InvariantCulture));
            b.UseSetting("ExternalAction:Auth:Throttle:WindowSeconds", "600");
            foreach (var (key, value) in settings ?? [])
                b.UseSetting(key, value);
            b.ConfigureServices(s =>
            {
                s.AddSingleton<IStartupFilter>(new RemoteAddressFromHeader());
                if (logs is not null)
                    s.AddLogging(l => l.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
            });
        });

    private static HttpRequestMessage Request(HttpMethod method, string path, string address, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("X-Test-Remote-Address", address);
        foreach (var (name, value) in headers)
            request.Headers.TryAddWithoutValidation(name, value);
        return request;
    }

    private static async Task AssertThrottled(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests), body);
        Assert.That(response.Headers.RetryAfter?.Delta, Is.GreaterThan(TimeSpan.Zero));
        using var json = JsonDocument.Parse(body);
        Assert.That(json.RootElement.GetProperty("status").GetString(), Is.EqualTo("error"));
        Assert.That(json.RootElement.GetProperty("code").GetString(), Is.EqualTo("RATE_LIMITED"));
        Assert.That(json.RootElement.GetProperty("error").GetProperty("retryAfter").GetInt32(), Is.GreaterThan(0));
        Assert.That(await AdobeSchemas.ValidateAsync("Error", body), Is.Empty, body);
    }

    [Test]
    public async Task Wrong_caller_keys_past_the_limit_are_429_even_with_the_right_key_while_other_addresses_pass()
    {
        using var inner = new ApiFactory();
        using var factory = Factory(inner);
        using var client = factory.CreateClient();
        for (var i = 0; i < Limit; i++)
        {
            using var wrong = await client.SendAsync(Request(HttpMethod.Get, StatusPath, Attacker, ("X-API-Key", $"guess-{i}")));
            Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), $"attempt {i}");
        }
        await AssertThrottled(await client.SendAsync(Request(HttpMethod.Get, StatusPath, Attacker, ("X-API-Key", "guess-x"))));
        // A right guess from the throttled address cannot be told from a wrong one.
        await AssertThrottled(await client.SendAsync(Request(HttpMethod.Get, StatusPath, Attacker, ("X-API-Key", ApiFactory.ApiKey))));

        using var platform = await client.SendAsync(Request(HttpMethod.Get, StatusPath, Platform, ("X-API-Key", ApiFactory.ApiKey)));
        Assert.That(platform.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        // Public endpoints stay public for the throttled address.
        using var definition = await client.SendAsync(Request(HttpMethod.Get, "/actions/lead-scoring/getServiceDefinition", Attacker));
        Assert.That(definition.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Successes_and_missing_credentials_do_not_use_up_the_budget()
    {
        using var inner = new ApiFactory();
        using var factory = Factory(inner);
        using var client = factory.CreateClient();
        for (var i = 0; i < Limit * 3; i++)
        {
            using var ok = await client.SendAsync(Request(HttpMethod.Get, StatusPath, Platform, ("X-API-Key", ApiFactory.ApiKey)));
            using var missing = await client.SendAsync(Request(HttpMethod.Get, StatusPath, Platform));
            Assert.That(ok.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        }
    }

    [Test]
    public async Task Wrong_support_keys_are_throttled()
    {
        using var inner = new ApiFactory();
        using var factory = Factory(inner);
        using var client = factory.CreateClient();
        for (var i = 0; i < Limit; i++)
        {
            using var wrong = await client.SendAsync(Request(HttpMethod.Get, "/support/counts", Attacker, ("X-Support-Key", $"guess-{i}")));
            Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        }
        await AssertThrottled(await client.SendAsync(Request(HttpMethod.Get, "/support/counts", Attacker, ("X-Support-Key", ApiFactory.SupportKey))));
        using var other = await client.SendAsync(Request(HttpMethod.Get, "/support/counts", Platform, ("X-Support-Key", ApiFactory.SupportKey)));
        Assert.That(other.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Wrong_token_endpoint_clients_are_throttled()
    {
        const string secret = "client-secret-0123456789";
        using var inner = new ApiFactory(new Dictionary<string, string?>
        {
            ["ExternalAction:Auth:Scheme"] = "oauth2", ["ExternalAction:Auth:ApiKey:Keys:0"] = null,
            ["ExternalAction:Auth:OAuth2:Mode"] = "issue",
            ["ExternalAction:Auth:OAuth2:SigningKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["ExternalAction:Auth:OAuth2:Clients:adobe-client"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret))),
        });
        using var factory = Factory(inner);
        using var client = factory.CreateClient();
        HttpRequestMessage Token(string address, string clientSecret)
        {
            var request = Request(HttpMethod.Post, "/oauth/token", address);
            request.Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials", ["client_id"] = "adobe-client", ["client_secret"] = clientSecret,
            });
            return request;
        }
        for (var i = 0; i < Limit; i++)
        {
            using var wrong = await client.SendAsync(Token(Attacker, $"guess-{i}"));
            Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        }
        await AssertThrottled(await client.SendAsync(Token(Attacker, secret)));
        using var other = await client.SendAsync(Token(Platform, secret));
        Assert.That(other.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Failures_are_logged_at_debug_with_one_warning_summary_not_an_information_line_each()
    {
        var logs = new LogCapture();
        using var inner = new ApiFactory();
        using var factory = Factory(inner, logs, new()
        {
            ["ExternalAction:Auth:Throttle:MaxFailures"] = "100",
            ["Logging:LogLevel:Default"] = "Information",
            ["Logging:LogLevel:ExternalAction.Api.Authentication.FailedAuthenticationThrottle"] = "Debug",
        });
        using var client = factory.CreateClient();
        using (var warmUp = await client.SendAsync(Request(HttpMethod.Get, StatusPath, Platform, ("X-API-Key", ApiFactory.ApiKey))))
            Assert.That(warmUp.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var before = logs.Lines.Count;
        for (var i = 0; i < 20; i++)
        {
            using var wrong = await client.SendAsync(Request(HttpMethod.Get, StatusPath, Attacker, ("X-API-Key", $"guess-{i}")));
            Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        }
        var lines = logs.Lines.Skip(before).ToList();
        var all = string.Join("\n", lines);
        Assert.That(lines.Count(l => l.StartsWith("Debug", StringComparison.Ordinal) && l.Contains("Caller authentication failed", StringComparison.Ordinal)), Is.EqualTo(20), all);
        Assert.That(lines.Count(l => l.StartsWith("Warning", StringComparison.Ordinal)), Is.EqualTo(1), all);
        Assert.That(lines.Single(l => l.StartsWith("Warning", StringComparison.Ordinal)), Does.Contain("failed attempts"));
        Assert.That(lines.Where(l => l.StartsWith("Information", StringComparison.Ordinal) || l.StartsWith("Error", StringComparison.Ordinal)), Is.Empty, all);
    }

    [Test]
    public async Task Refused_Journey_Builder_JWTs_past_the_limit_are_429_in_Journey_Builders_shape_even_when_signed_right()
    {
        var settings = SfmcJourneyBuilder.Settings();
        settings["ExternalAction:Actions:File"] = Path.Combine(Fixtures.Root, "actions", "sfmc-actions.json");
        settings["ExternalAction:Intake:PublicBaseUrl"] = "https://sfmc.example.com";
        await using var inner = new ApiFactory(settings);
        await using var factory = Factory(inner);
        using var client = factory.CreateClient();
        var payload = SfmcJourneyBuilder.Payload(new Dictionary<string, System.Text.Json.Nodes.JsonNode?>
        {
            ["contactKey"] = "c-1", ["firstName"] = "Jane", ["webhookUrl"] = "https://hooks.slack.com/services/T0/B0/x",
            ["channel"] = "alerts", ["messageTemplate"] = "Welcome aboard",
        }, contactKey: "c-1");
        HttpRequestMessage Execute(string address, string token)
        {
            var request = Request(HttpMethod.Post, "/actions/slack-alert/sfmc/execute", address);
            request.Content = SfmcJourneyBuilder.Jwt(token);
            return request;
        }

        var forged = SfmcJourneyBuilder.Sign(payload, "a-secret-that-is-not-journey-builders-0123456789");
        for (var i = 0; i < Limit; i++)
        {
            using var refused = await client.SendAsync(Execute(Attacker, forged));
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), await refused.Content.ReadAsStringAsync());
        }
        using var throttled = await client.SendAsync(Execute(Attacker, SfmcJourneyBuilder.Sign(payload)));
        var body = await throttled.Content.ReadAsStringAsync();
        Assert.That(throttled.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests), body);
        Assert.That(throttled.Headers.RetryAfter?.Delta, Is.GreaterThan(TimeSpan.Zero));
        using (var json = JsonDocument.Parse(body))
            Assert.That(json.RootElement.GetProperty("message").GetString(), Does.Contain("Too many refused"));
        // The same forged calls from another address do not stop Journey Builder's own.
        using var fromPlatform = await client.SendAsync(Execute(Platform, SfmcJourneyBuilder.Sign(payload)));
        Assert.That(fromPlatform.StatusCode, Is.EqualTo(HttpStatusCode.OK), await fromPlatform.Content.ReadAsStringAsync());
    }
}
