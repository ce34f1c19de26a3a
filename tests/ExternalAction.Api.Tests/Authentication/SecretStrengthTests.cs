using System.Net;
using System.Net.Http.Headers;
using System.Text;
using ExternalAction.Actions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ExternalAction.Api.Tests.Authentication;

/// <summary>
/// No empty or short shared secret lets the service start (finding 6), in any environment, and the message names the
/// key to fix; an empty presented credential never authenticates, even if a configuration slipped past the check.
/// </summary>
public sealed class SecretStrengthTests
{
    private const string StatusPath = "/actions/lead-scoring/status";

    public static IEnumerable<TestCaseData> WeakSecrets()
    {
        yield return new TestCaseData(new Dictionary<string, string?> { ["ExternalAction:Auth:ApiKey:Keys:1"] = "" }, "ExternalAction:Auth:ApiKey:Keys:1")
            .SetName("An empty API key entry beside a good one stops start-up");
        yield return new TestCaseData(new Dictionary<string, string?> { ["ExternalAction:Auth:ApiKey:Keys:0"] = "short-key" }, "ExternalAction:Auth:ApiKey:Keys:0")
            .SetName("A short API key stops start-up");
        yield return new TestCaseData(new Dictionary<string, string?> { ["ExternalAction:Auth:ApiKey:Keys:0"] = "               x" }, "ExternalAction:Auth:ApiKey:Keys:0")
            .SetName("An API key padded with blanks stops start-up");
        yield return new TestCaseData(new Dictionary<string, string?>
        {
            ["ExternalAction:Auth:Scheme"] = "basic", ["ExternalAction:Auth:ApiKey:Keys:0"] = null, ["ExternalAction:Auth:Basic:Users:adobe"] = "",
        }, "ExternalAction:Auth:Basic:Users:adobe").SetName("An empty Basic password stops start-up");
        yield return new TestCaseData(new Dictionary<string, string?>
        {
            ["ExternalAction:Auth:Scheme"] = "basic", ["ExternalAction:Auth:ApiKey:Keys:0"] = null, ["ExternalAction:Auth:Basic:Users:adobe"] = "password",
        }, "ExternalAction:Auth:Basic:Users:adobe").SetName("A short Basic password stops start-up");
        yield return new TestCaseData(new Dictionary<string, string?> { ["ExternalAction:Support:ApiKeys:1"] = "" }, "ExternalAction:Support:ApiKeys:1")
            .SetName("An empty support key stops start-up");
        yield return new TestCaseData(new Dictionary<string, string?> { ["ExternalAction:Support:ApiKeys:0"] = "support" }, "ExternalAction:Support:ApiKeys:0")
            .SetName("A short support key stops start-up");
        yield return new TestCaseData(new Dictionary<string, string?>
        {
            ["ExternalAction:Support:Users:0:Name"] = "alice", ["ExternalAction:Support:Users:0:Key"] = "short", ["ExternalAction:Support:Users:0:Role"] = "operator",
        }, "ExternalAction:Support:Users:0:Key").SetName("A short support user key stops start-up");
        yield return new TestCaseData(new Dictionary<string, string?>
        {
            ["ExternalAction:Support:Users:0:Name"] = "alice", ["ExternalAction:Support:Users:0:Key"] = "a-long-enough-operator-key", ["ExternalAction:Support:Users:0:Role"] = "admin",
        }, "ExternalAction:Support:Users:0:Role").SetName("A support user role that is neither viewer nor operator stops start-up");
        yield return new TestCaseData(new Dictionary<string, string?>
        {
            ["ExternalAction:Support:Users:0:Name"] = "<b>alice</b>", ["ExternalAction:Support:Users:0:Key"] = "a-long-enough-operator-key",
        }, "ExternalAction:Support:Users:0:Name").SetName("A support user name with markup stops start-up");
        yield return new TestCaseData(new Dictionary<string, string?>
        {
            ["ExternalAction:Auth:Scheme"] = "oauth2", ["ExternalAction:Auth:ApiKey:Keys:0"] = null,
            ["ExternalAction:Auth:OAuth2:SigningKey"] = Convert.ToBase64String(new byte[32]),
            ["ExternalAction:Auth:OAuth2:Clients:adobe-client"] = "",
        }, "ExternalAction:Auth:OAuth2:Clients:adobe-client").SetName("An issue-mode client without a secret hash stops start-up");
    }

    [TestCaseSource(nameof(WeakSecrets))]
    public void Weak_secrets_stop_start_up_naming_the_key(Dictionary<string, string?> settings, string key)
    {
        foreach (var environment in new[] { "Production", "Development" })
        {
            using var factory = new ApiFactory(settings, environment);
            var error = Assert.Catch(() => factory.CreateClient(), environment)!;
            Assert.That(error.ToString(), Does.Contain(key), environment);
        }
    }

    [Test]
    public void The_messages_do_not_quote_the_weak_secret()
    {
        using var factory = new ApiFactory(new Dictionary<string, string?> { ["ExternalAction:Auth:ApiKey:Keys:0"] = "weak-secret-x" });
        var error = Assert.Catch(() => factory.CreateClient())!;
        Assert.That(error.ToString(), Does.Contain("16 characters").And.Not.Contain("weak-secret-x"));
    }

    [Test]
    public async Task Sixteen_characters_are_enough()
    {
        using var factory = new ApiFactory(new Dictionary<string, string?>
        {
            ["ExternalAction:Auth:ApiKey:Keys:0"] = "0123456789abcdef", ["ExternalAction:Support:ApiKeys:0"] = "fedcba9876543210",
        });
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, StatusPath);
        request.Headers.Add("X-API-Key", "0123456789abcdef");
        using var response = await client.SendAsync(request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    /// <summary>
    /// TestServer drops headers with empty values, which Kestrel would pass on (<c>X-API-Key:</c>): this sets
    /// header <c>X-Test-Header-Name</c> to the value in <c>X-Test-Header-Value</c> (maybe empty) from outside the app.
    /// </summary>
    private sealed class HeaderFromMarker : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                if (context.Request.Headers["X-Test-Header-Name"].ToString() is { Length: > 0 } name)
                    context.Request.Headers[name] = context.Request.Headers["X-Test-Header-Value"].ToString();
                return nextMiddleware(context);
            });
            next(app);
        };
    }

    /// <summary>A configuration that bypassed start-up validation (its validators removed) holding an empty key and an empty password.</summary>
    private static WebApplicationFactory<Program> Unvalidated(ApiFactory factory, string scheme) =>
        factory.WithWebHostBuilder(b =>
        {
            b.UseSetting("ExternalAction:Auth:Scheme", scheme);
            b.ConfigureServices(s =>
            {
                s.AddSingleton<IStartupFilter>(new HeaderFromMarker());
                s.RemoveAll<IValidateOptions<CallerAuthOptions>>();
                s.PostConfigure<CallerAuthOptions>(o =>
                {
                    o.ApiKey.Keys.Add("");
                    o.Basic.Users["adobe"] = "";
                });
            });
        });

    [Test]
    public async Task An_empty_api_key_header_never_authenticates()
    {
        using var inner = new ApiFactory();
        using var factory = Unvalidated(inner, "apiKey");
        using var client = factory.CreateClient();
        foreach (var (name, value) in new[] { ("X-API-Key", ""), ("X-API-Key", " "), ("X-API-Key", "\t"), ("Authorization", "Bearer "), ("Authorization", "Bearer") })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, StatusPath);
            request.Headers.Add("X-Test-Header-Name", name);
            request.Headers.TryAddWithoutValidation("X-Test-Header-Value", value);
            using var response = await client.SendAsync(request);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), $"{name}: '{value}'");
        }
        // The marker works: the configured key still opens the endpoint.
        using var good = new HttpRequestMessage(HttpMethod.Get, StatusPath);
        good.Headers.Add("X-Test-Header-Name", "X-API-Key");
        good.Headers.Add("X-Test-Header-Value", ApiFactory.ApiKey);
        using var goodResponse = await client.SendAsync(good);
        Assert.That(goodResponse.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [TestCase("adobe:")]
    [TestCase(":")]
    [TestCase(":basic-password-123")]
    public async Task Basic_credentials_with_an_empty_part_never_authenticate(string pair)
    {
        using var inner = new ApiFactory();
        using var factory = Unvalidated(inner, "basic");
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, StatusPath);
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(pair)));
        using var response = await client.SendAsync(request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), pair);
    }
}
