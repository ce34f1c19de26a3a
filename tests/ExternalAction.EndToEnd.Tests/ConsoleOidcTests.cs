using ExternalAction.Api.Console;
using ExternalAction.TestSupport;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace ExternalAction.EndToEnd.Tests;

/// <summary>
/// The console's sign-in through an OIDC provider in a real browser: WireMock over https plays the provider, the
/// browser follows its redirects (authorization, callback, sign-out) as it would a real one's. The signed-in operator
/// replays a dead-lettered request and the timeline names them. Screenshots go to TestResults/console/.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class ConsoleOidcTests
{
    private OidcProvider _provider = null!;
    private EndToEndEnvironment _env = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private static readonly string Screenshots = Path.Combine(RabbitVirtualHost.RepositoryRoot(), "TestResults", "console");

    [OneTimeSetUp]
    public async Task Start()
    {
        _provider = new OidcProvider();
        _env = await EndToEndEnvironment.StartAsync(settings =>
        {
            settings["ExternalAction:Support:Oidc:Authority"] = _provider.Authority;
            settings["ExternalAction:Support:Oidc:ClientId"] = OidcProvider.ClientId;
            settings["ExternalAction:Support:Oidc:ClientSecretName"] = "console-oidc";
            settings["Secrets:console-oidc"] = OidcProvider.ClientSecret;
            settings["ExternalAction:Support:Oidc:DisplayName"] = "Test IdP";
            settings["ExternalAction:Support:Oidc:RoleClaim"] = "groups";
            settings["ExternalAction:Support:Oidc:Roles:operator:0"] = "support-operators";
            settings["ExternalAction:Support:Oidc:Roles:viewer:0"] = "support-staff";
        }, apiClockOffset: TimeSpan.FromSeconds(-55), kestrel: true,
            apiServices: s => s.Configure<OpenIdConnectOptions>(ConsoleOidc.Scheme, o => o.BackchannelHttpHandler = _provider.TrustingHandler()));
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ["--no-sandbox"],
        });
        Directory.CreateDirectory(Screenshots);
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await _env.DisposeAsync();
        _provider.Dispose();
    }

    [Test]
    public async Task An_operator_signs_in_with_the_provider_reaches_search_replays_under_their_name_and_signs_out()
    {
        var scenario = $"oidc-{Guid.NewGuid():N}";
        _env.Wire.Given(Request.Create().WithPath($"/channel/{scenario}").UsingPost()).AtPriority(10).RespondWith(Response.Create().WithStatusCode(503));
        var request = SampleRequests.Lead($"tok-{scenario}", _env.WireUrl + $"/callback/{scenario}");
        request["objectData"]!["flowStepContext"]!["scenario"] = scenario;
        request["actionConfig"]!["timeout"] = 1;
        var requestId = await _env.AcceptedAsync("lead-scoring", request);

        _provider.NextUser = new Dictionary<string, object> { ["sub"] = "u-olivia", ["preferred_username"] = "olivia", ["groups"] = new[] { "support-operators" } };
        // The provider's self-signed certificate and the Api's: both accepted, as a browser told to trust them would.
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = _env.ApiUrl, IgnoreHTTPSErrors = true, ViewportSize = new ViewportSize { Width = 1360, Height = 900 } });
        var page = await context.NewPageAsync();
        page.Dialog += (_, dialog) => Assert.Fail($"A script ran and opened a dialog: {dialog.Message}");
        await page.GotoAsync("/console");
        Assert.That(page.Url, Does.Contain("/console/signin"));
        await page.ClickAsync("#oidc-signin button:text-is('Sign in with Test IdP')");

        await Assertions.Expect(page.Locator("header .who")).ToHaveTextAsync("olivia (operator)");
        await Assertions.Expect(page.Locator("form.filters")).ToBeVisibleAsync();
        Assert.That(new Uri(page.Url).AbsolutePath, Is.EqualTo("/console"), "the search page");
        Assert.That(_provider.AuthorizationRequests.Single()["code_challenge_method"], Is.EqualTo("S256"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "oidc-signed-in.png"), FullPage = true });

        await _env.WaitForFinalAsync(requestId, TimeSpan.FromSeconds(60));
        _env.Wire.Given(Request.Create().WithPath($"/channel/{scenario}").UsingPost()).AtPriority(1)
            .RespondWith(Response.Create().WithStatusCode(200).WithBodyAsJson(new { score = 88, tier = "hot" }));
        await page.GotoAsync($"/console/requests/{requestId}");
        await Assertions.Expect(page.Locator("h1 .status")).ToHaveTextAsync("TimedOut");
        await page.FillAsync("#replay-form input[name=reason]", "channel back after the outage");
        await page.ClickAsync("#replay-form button[type=submit]");
        await Assertions.Expect(page.Locator("#replay-outcome")).ToContainTextAsync("Replayed");
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!(await page.Locator("#timeline").InnerTextAsync()).Contains("replayed by olivia: channel back after the outage", StringComparison.Ordinal))
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(until), "the timeline names the operator who replayed");
            await page.GotoAsync(page.Url);
        }

        await page.ClickAsync("header form[action='/console/signout'] button");
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/console/signin");
        Assert.That(_provider.EndSessionRequests, Has.Count.EqualTo(1), "the provider's session ended too");
        Assert.That(_provider.EndSessionRequests.Single(), Does.ContainKey("id_token_hint"));
        await page.GotoAsync("/console");
        Assert.That(page.Url, Does.Contain("/console/signin"), "signed out");
    }
}
