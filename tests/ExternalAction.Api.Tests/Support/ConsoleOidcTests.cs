using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using ExternalAction.Api.Console;
using ExternalAction.Store;
using ExternalAction.TestSupport;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ExternalAction.Api.Tests.Support;

/// <summary>
/// The console's sign-in through an OIDC provider (WireMock over https playing the provider, an RSA key made here), over
/// HTTP: the test is the browser, carrying the console's cookies and following each redirect by hand.
/// </summary>
[TestFixture]
public sealed partial class ConsoleOidcTests
{
    private OidcProvider _provider = null!;
    private ApiFactory _factory = null!;

    private static Dictionary<string, string?> Settings(OidcProvider provider) => new()
    {
        ["ExternalAction:Support:Oidc:Authority"] = provider.Authority,
        ["ExternalAction:Support:Oidc:ClientId"] = OidcProvider.ClientId,
        ["ExternalAction:Support:Oidc:ClientSecretName"] = "console-oidc",
        ["Secrets:console-oidc"] = OidcProvider.ClientSecret,
        ["ExternalAction:Support:Oidc:DisplayName"] = "Test IdP",
        ["ExternalAction:Support:Oidc:RoleClaim"] = "groups",
        ["ExternalAction:Support:Oidc:Roles:operator:0"] = "support-operators",
        ["ExternalAction:Support:Oidc:Roles:viewer:0"] = "support-staff",
        ["ExternalAction:Support:Oidc:AcceptBearerTokens"] = "true",
    };

    private static ApiFactory Factory(OidcProvider provider, Action<Dictionary<string, string?>>? tweak = null)
    {
        var settings = Settings(provider);
        tweak?.Invoke(settings);
        return new ApiFactory(settings, services: s =>
            s.Configure<OpenIdConnectOptions>(ConsoleOidc.Scheme, o => o.BackchannelHttpHandler = provider.TrustingHandler()));
    }

    [OneTimeSetUp]
    public void Start()
    {
        _provider = new OidcProvider();
        _factory = Factory(_provider);
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _factory.Dispose();
        _provider.Dispose();
    }

    [SetUp]
    public void Reset() => _provider.Tamper = TokenTamper.None;

    private static Dictionary<string, object> Person(string name, params string[] groups) =>
        new() { ["sub"] = $"sub-{name}", ["preferred_username"] = name, ["groups"] = groups };

    private static HttpClient Browser(ApiFactory factory) =>
        factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri("https://localhost"), HandleCookies = true });

    /// <summary>The provider's side of the browser: its own certificate, no cookies of ours.</summary>
    private static HttpClient ProviderSide() =>
        new(new HttpClientHandler { AllowAutoRedirect = false, ServerCertificateCustomValidationCallback = (_, _, _, _) => true });

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    private static async Task<string> AntiforgeryAsync(HttpClient browser, string path)
    {
        var page = await browser.GetStringAsync(path);
        return AntiforgeryField().Match(page) is { Success: true } m ? WebUtility.HtmlDecode(m.Groups[1].Value) : throw new AssertionException($"No antiforgery token on {path}");
    }

    /// <summary>
    /// Clicks "Sign in with Test IdP" as <paramref name="person"/>: the form post, the provider's authorization endpoint,
    /// the callback. Answers where the callback sent the browser.
    /// </summary>
    private async Task<Uri> SignInThroughProviderAsync(HttpClient browser, Dictionary<string, object> person, OidcProvider? provider = null)
    {
        provider ??= _provider;
        provider.NextUser = person;
        var token = await AntiforgeryAsync(browser, "/console/signin");
        using var challenge = await browser.PostAsync("/console/signin?handler=Oidc",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token, ["returnUrl"] = "/console/dashboard" }));
        Assert.That(challenge.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), await challenge.Content.ReadAsStringAsync());
        var authorize = challenge.Headers.Location!;
        Assert.That(authorize.GetLeftPart(UriPartial.Path), Is.EqualTo(provider.Authority + "/authorize"));

        using var providerSide = ProviderSide();
        using var back = await providerSide.GetAsync(authorize);
        Assert.That(back.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), await back.Content.ReadAsStringAsync());
        Assert.That(back.Headers.Location!.GetLeftPart(UriPartial.Path), Is.EqualTo("https://localhost/console/signin-oidc"));

        using var callback = await browser.GetAsync(back.Headers.Location);
        Assert.That(callback.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), await callback.Content.ReadAsStringAsync());
        return new Uri(browser.BaseAddress!, callback.Headers.Location!);
    }

    private async Task<HttpClient> SignedInAsync(Dictionary<string, object> person)
    {
        var browser = Browser(_factory);
        var landed = await SignInThroughProviderAsync(browser, person);
        Assert.That(landed.AbsolutePath, Is.EqualTo("/console/signin/complete"));
        var complete = await browser.GetStringAsync(landed);
        Assert.That(complete, Does.Contain("<meta http-equiv=\"refresh\" content=\"0;url=/console/dashboard\">"), "moves on by itself to where the person was going");
        return browser;
    }

    [Test]
    public async Task An_operator_signs_in_with_the_code_flow_and_PKCE_and_the_console_names_them()
    {
        using var browser = await SignedInAsync(Person("olivia", "support-operators", "everyone"));

        var authorization = _provider.AuthorizationRequests.Last();
        Assert.That(authorization["code_challenge_method"], Is.EqualTo("S256"));
        Assert.That(authorization["response_type"], Is.EqualTo("code"));
        Assert.That(authorization["scope"].Split(' '), Does.Contain("openid").And.Contain("profile"));
        var exchange = _provider.TokenRequests.Last();
        Assert.That(exchange, Does.ContainKey("code_verifier"), "the provider checked the verifier against the challenge");

        using var console = await browser.GetAsync("/console");
        Assert.That(console.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var html = await console.Content.ReadAsStringAsync();
        Assert.That(html, Does.Contain("<span class=\"who\">olivia (operator)</span>"));
        Assert.That(html, Does.Not.Contain(OidcProvider.ClientSecret));
        var cookie = console.RequestMessage!.Headers.TryGetValues("Cookie", out var sent) ? string.Join(";", sent) : "";
        Assert.That(cookie, Does.Contain("externalaction-console="));
    }

    [Test]
    public async Task The_console_cookie_from_the_provider_is_HttpOnly_Secure_SameSite_Strict_and_expires()
    {
        using var browser = Browser(_factory);
        _provider.NextUser = Person("olivia", "support-operators");
        var token = await AntiforgeryAsync(browser, "/console/signin");
        using var challenge = await browser.PostAsync("/console/signin?handler=Oidc",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
        var correlation = challenge.Headers.GetValues("Set-Cookie").Where(c => c.StartsWith(".AspNetCore.", StringComparison.Ordinal)).ToList();
        Assert.That(correlation, Has.Count.EqualTo(2).And.All.Contains("path=/console").And.All.Contains("samesite=lax").And.All.Contains("secure").And.All.Contains("httponly"),
            "the correlation and nonce cookies (Lax: the provider's redirect back is a cross-site top-level GET)");
        using var providerSide = ProviderSide();
        using var back = await providerSide.GetAsync(challenge.Headers.Location);
        using var callback = await browser.GetAsync(back.Headers.Location);
        var session = callback.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("externalaction-console=", StringComparison.Ordinal));
        Assert.That(session, Does.Contain("path=/console").And.Contain("secure").And.Contain("samesite=strict").And.Contain("httponly").And.Contain("expires="));
    }

    [Test]
    public async Task A_signed_in_operator_may_replay_and_a_signed_in_viewer_may_not()
    {
        var requestId = $"req-oidc-{Guid.NewGuid():N}";
        await _factory.Services.GetRequiredService<StatusStore>().InsertReceivedAsync([new NewRequest
        {
            RequestId = requestId, ActionName = "lead-scoring", ActionVersion = "1", EntityType = "lead", LeadId = "4711",
            ReceivedAt = DateTimeOffset.UtcNow, DeadlineAt = DateTimeOffset.UtcNow.AddHours(1),
        }], default);
        using var operatorBrowser = await SignedInAsync(Person("olivia", "support-operators"));
        var token = await AntiforgeryAsync(operatorBrowser, "/console");
        using var replay = await operatorBrowser.PostAsync($"/console/requests/{requestId}?handler=Replay",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token, ["reason"] = "test" }));
        Assert.That(replay.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), "the operator's replay was tried, not forbidden");
        Assert.That(await operatorBrowser.GetStringAsync(replay.Headers.Location), Does.Contain("Not replayed:"), "(refused by the lifecycle: the request is still on its way)");

        using var viewerBrowser = await SignedInAsync(Person("victor", "support-staff"));
        var page = await (await viewerBrowser.GetAsync("/console")).Content.ReadAsStringAsync();
        Assert.That(page, Does.Contain("victor (viewer)"));
        token = await AntiforgeryAsync(viewerBrowser, "/console");
        using var refused = await viewerBrowser.PostAsync($"/console/requests/{requestId}?handler=Replay",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token, ["reason"] = "test" }));
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task Both_groups_give_the_higher_role()
    {
        using var browser = await SignedInAsync(Person("olivia", "support-staff", "support-operators"));
        Assert.That(await browser.GetStringAsync("/console"), Does.Contain("olivia (operator)"));
    }

    [TestCase("nobody", new[] { "marketing" }, "role", TestName = "A person whose groups map to no role is refused with a page saying so")]
    [TestCase("nobody", new string[0], "role", TestName = "A person without the groups claim is refused")]
    [TestCase("<b>mallory</b>", new[] { "support-operators" }, "name", TestName = "A name claim with markup is refused before it is recorded anywhere")]
    [TestCase("support-key-1", new[] { "support-operators" }, "name", TestName = "A name that would read as a read-only key is refused")]
    public async Task Refused_people_get_the_no_access_page_and_no_session(string name, string[] groups, string why)
    {
        using var browser = Browser(_factory);
        var landed = await SignInThroughProviderAsync(browser, Person(name, groups));
        Assert.That(landed.PathAndQuery, Is.EqualTo($"/console/signin/denied?why={why}"));
        using var denied = await browser.GetAsync(landed);
        Assert.That(denied.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        var html = await denied.Content.ReadAsStringAsync();
        Assert.That(html, Does.Contain(why == "role" ? "none of the groups values that give access" : "is not a usable name"));
        Assert.That(html, Does.Not.Contain("<b>mallory"));
        await AssertSignedOutAsync(browser);
    }

    [TestCase(TokenTamper.Expired)]
    [TestCase(TokenTamper.WrongIssuer)]
    [TestCase(TokenTamper.WrongAudience)]
    [TestCase(TokenTamper.WrongNonce)]
    [TestCase(TokenTamper.UnknownKey)]
    [TestCase(TokenTamper.ChangedPayload)]
    public async Task A_bad_id_token_is_refused(TokenTamper tamper)
    {
        _provider.Tamper = tamper;
        using var browser = Browser(_factory);
        var landed = await SignInThroughProviderAsync(browser, Person("olivia", "support-operators"));
        Assert.That(landed.PathAndQuery, Is.EqualTo("/console/signin/denied?why=failed"));
        using var denied = await browser.GetAsync(landed);
        Assert.That(denied.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        await AssertSignedOutAsync(browser);
    }

    [Test]
    public async Task A_callback_replayed_or_forged_is_refused()
    {
        using var browser = Browser(_factory);
        _provider.NextUser = Person("olivia", "support-operators");
        using var forged = await browser.GetAsync("/console/signin-oidc?code=made-up&state=made-up");
        Assert.That(forged.Headers.Location?.ToString(), Is.EqualTo("/console/signin/denied?why=failed"));
        await AssertSignedOutAsync(browser);
    }

    [Test]
    public async Task Signing_out_ends_the_session_and_the_providers()
    {
        using var browser = await SignedInAsync(Person("olivia", "support-operators"));
        var token = await AntiforgeryAsync(browser, "/console");
        using var signOut = await browser.PostAsync("/console/signout", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
        Assert.That(signOut.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        var endSession = signOut.Headers.Location!;
        Assert.That(endSession.GetLeftPart(UriPartial.Path), Is.EqualTo(_provider.Authority + "/logout"));
        Assert.That(signOut.Headers.GetValues("Set-Cookie"), Has.Some.StartsWith("externalaction-console=;"), "the local cookie is cleared");

        using var providerSide = ProviderSide();
        using var back = await providerSide.GetAsync(endSession);
        var request = _provider.EndSessionRequests.Last();
        Assert.That(request, Does.ContainKey("id_token_hint"));
        Assert.That(request["post_logout_redirect_uri"], Is.EqualTo("https://localhost/console/signout-oidc"));
        using var signedOut = await browser.GetAsync(back.Headers.Location);
        Assert.That(signedOut.Headers.Location?.ToString(), Is.EqualTo("/console/signin"));
        await AssertSignedOutAsync(browser);
    }

    [Test]
    public async Task Without_an_end_session_endpoint_signing_out_ends_the_local_session_only()
    {
        using var provider = new OidcProvider { PublishEndSession = false };
        using var factory = Factory(provider);
        using var browser = Browser(factory);
        var landed = await SignInThroughProviderAsync(browser, Person("olivia", "support-operators"), provider);
        await browser.GetStringAsync(landed);
        var token = await AntiforgeryAsync(browser, "/console");
        using var signOut = await browser.PostAsync("/console/signout", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
        Assert.That(signOut.Headers.Location?.ToString(), Is.EqualTo("/console/signin"));
        Assert.That(provider.EndSessionRequests, Is.Empty);
        await AssertSignedOutAsync(browser);
    }

    [Test]
    public async Task The_sign_in_page_offers_the_provider_beside_the_key_and_the_key_can_be_switched_off()
    {
        using var both = Browser(_factory);
        var page = await both.GetStringAsync("/console/signin");
        Assert.That(page, Does.Contain("Sign in with Test IdP").And.Contain("name=\"key\""));
        using var console = await both.GetAsync("/console/signin");
        Assert.That(console.Headers.GetValues("Content-Security-Policy").Single(), Does.Contain($"form-action 'self' {new Uri(_provider.Authority).GetLeftPart(UriPartial.Authority)};"));

        using var factory = Factory(_provider, s => s["ExternalAction:Support:ConsoleKeySignIn"] = "false");
        using var providerOnly = Browser(factory);
        page = await providerOnly.GetStringAsync("/console/signin");
        Assert.That(page, Does.Contain("Sign in with Test IdP").And.Not.Contain("name=\"key\""));
        var token = await AntiforgeryAsync(providerOnly, "/console/signin");
        using var keyPost = await providerOnly.PostAsync("/console/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["key"] = ApiFactory.SupportKey,
        }));
        Assert.That(keyPost.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        await AssertSignedOutAsync(providerOnly);
    }

    [Test]
    public async Task A_bearer_token_from_the_provider_lets_an_operator_edit_suppressions_recorded_under_their_name()
    {
        using var client = _factory.CreateClient();
        var address = $"oidc-{Guid.NewGuid():N}@example.com";
        var (status, _) = await SendAsync(client, HttpMethod.Post, "/support/suppressions", _provider.IssueToken(Person("olivia", "support-operators")),
            JsonContent.Create(new { kind = "email", address, reason = "asked to stop" }));
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        var (_, history) = await SendAsync(client, HttpMethod.Get, $"/support/suppressions/history?kind=email&address={Uri.EscapeDataString(address)}",
            _provider.IssueToken(Person("victor", "support-staff")));
        Assert.That(history[0].GetProperty("changedBy").GetString(), Is.EqualTo("olivia"));

        (status, _) = await SendAsync(client, HttpMethod.Post, "/support/suppressions", _provider.IssueToken(Person("victor", "support-staff")),
            JsonContent.Create(new { kind = "email", address = "v" + address, reason = "viewer tries" }));
        Assert.That(status, Is.EqualTo(HttpStatusCode.Forbidden), "a viewer reads but does not edit");
        (status, _) = await SendAsync(client, HttpMethod.Get, "/support/suppressions", _provider.IssueToken(Person("nobody", "marketing")));
        Assert.That(status, Is.EqualTo(HttpStatusCode.Unauthorized), "no role, no access");
        foreach (var tamper in new[] { TokenTamper.Expired, TokenTamper.WrongIssuer, TokenTamper.WrongAudience, TokenTamper.UnknownKey, TokenTamper.ChangedPayload })
        {
            _provider.Tamper = tamper;
            (status, _) = await SendAsync(client, HttpMethod.Get, "/support/suppressions", _provider.IssueToken(Person("olivia", "support-operators")));
            Assert.That(status, Is.EqualTo(HttpStatusCode.Unauthorized), tamper.ToString());
        }
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpClient client, HttpMethod method, string path, string bearer, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    private static async Task AssertSignedOutAsync(HttpClient browser)
    {
        using var console = await browser.GetAsync("/console");
        Assert.That(console.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        Assert.That(console.Headers.Location!.ToString(), Does.Contain("/console/signin"));
    }

    private static IEnumerable<TestCaseData> BadConfigurations()
    {
        yield return new TestCaseData(new Dictionary<string, string?> { ["ExternalAction:Support:Oidc:Authority"] = "http://idp.example.com" }, "ExternalAction:Support:Oidc:Authority must be https")
            .SetName("An http authority stops start-up outside Development");
        yield return new TestCaseData(new Dictionary<string, string?> { ["ExternalAction:Support:Oidc:ClientId"] = "" }, "ExternalAction:Support:Oidc:ClientId is required")
            .SetName("A missing client id stops start-up");
        yield return new TestCaseData(new Dictionary<string, string?> { ["ExternalAction:Support:Oidc:Roles:admin:0"] = "admins" }, "ExternalAction:Support:Oidc:Roles:admin is not a role")
            .SetName("A mapping to an unknown role stops start-up");
        yield return new TestCaseData(new Dictionary<string, string?> { ["ExternalAction:Support:Oidc:RoleClaim"] = "" }, "ExternalAction:Support:Oidc:RoleClaim is required")
            .SetName("A missing role claim stops start-up");
        yield return new TestCaseData(new Dictionary<string, string?> { ["Secrets:console-oidc"] = null }, "ExternalAction:Support:Oidc:ClientSecretName names secret 'console-oidc'")
            .SetName("A client secret name with no secret stops start-up");
        yield return new TestCaseData(new Dictionary<string, string?>
        {
            ["ExternalAction:Support:Oidc:Authority"] = null, ["ExternalAction:Support:ConsoleKeySignIn"] = "false",
        }, "ExternalAction:Support:ConsoleKeySignIn is false").SetName("Key sign-in off without a provider stops start-up");
    }

    [TestCaseSource(nameof(BadConfigurations))]
    public void A_bad_provider_configuration_stops_start_up_naming_the_key(Dictionary<string, string?> change, string message)
    {
        using var factory = Factory(_provider, s =>
        {
            foreach (var (key, value) in change)
                s[key] = value;
        });
        var error = Assert.Catch(() => factory.CreateClient())!;
        Assert.That(error.ToString(), Does.Contain(message).And.Not.Contain(OidcProvider.ClientSecret));
    }
}
