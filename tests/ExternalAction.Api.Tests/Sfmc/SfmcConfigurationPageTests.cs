using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace ExternalAction.Api.Tests.Sfmc;

/// <summary>
/// The configuration page in headless Chromium (Debian's <c>chromium</c> package, no browser download). A host page plays
/// Journey Builder's side of Postmonger: it frames our page from its own origin, answers <c>ready</c> with
/// <c>initActivity</c>, and keeps the <c>updateActivity</c> payload, which the test asserts after filling the form.
/// Both origins are served through Playwright's routing: the host page from the test, ours from the Api test server.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class SfmcConfigurationPageTests
{
    private const string Chromium = "/usr/bin/chromium";
    private const string JourneyBuilder = "https://mc.test";
    private SfmcHost _host = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        if (!File.Exists(Chromium))
            Assert.Fail($"{Chromium} is missing: apt-get install -y chromium (.ci/run does).");
        _host = new SfmcHost(new Dictionary<string, string?> { ["ExternalAction:Sfmc:FrameAncestors:0"] = JourneyBuilder });
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] });
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        if (_browser is not null)
            await _browser.DisposeAsync();
        _playwright?.Dispose();
        if (_host is not null)
            await _host.DisposeAsync();
    }

    /// <summary>Journey Builder's side: frames the activity, sends initActivity on ready, records updateActivity.</summary>
    private static string HostPage(JsonObject activity) => $$"""
        <!doctype html>
        <html><head><meta charset="utf-8">
        <script src="{{SfmcHost.PublicBaseUrl}}/actions/slack-alert/sfmc/postmonger.js"></script>
        </head><body>
        <iframe id="activity" src="{{SfmcHost.PublicBaseUrl}}/actions/slack-alert/sfmc/index.html" width="900" height="700"></iframe>
        <script>
          window.updated = null;
          window.readyCount = 0;
          var jb = new Postmonger.Session({ connect: 'activity', from: '{{SfmcHost.PublicBaseUrl}}', to: '{{SfmcHost.PublicBaseUrl}}' });
          jb.on('ready', function () { window.readyCount++; jb.trigger('initActivity', {{activity.ToJsonString()}}); });
          jb.on('updateActivity', function (payload) { window.updated = payload; });
        </script>
        </body></html>
        """;

    private async Task<IPage> OpenAsync(JsonObject activity)
    {
        var page = await _browser.NewPageAsync();
        var csp = new List<string>();
        await page.RouteAsync($"{JourneyBuilder}/**", route => route.FulfillAsync(new RouteFulfillOptions { ContentType = "text/html", Body = HostPage(activity) }));
        await page.RouteAsync($"{SfmcHost.PublicBaseUrl}/**", async route =>
        {
            // Our origin, answered by the Api test server: same paths, status, headers (the CSP among them) and body.
            var path = new Uri(route.Request.Url).PathAndQuery;
            using var response = await _host.Client.GetAsync(path);
            var headers = response.Headers.Concat(response.Content.Headers).ToDictionary(h => h.Key, h => string.Join(", ", h.Value));
            if (headers.TryGetValue("Content-Security-Policy", out var policy))
                csp.Add(policy);
            await route.FulfillAsync(new RouteFulfillOptions { Status = (int)response.StatusCode, Headers = headers, BodyBytes = await response.Content.ReadAsByteArrayAsync() });
        });
        await page.GotoAsync($"{JourneyBuilder}/host.html");
        Assert.That(csp, Is.Not.Empty, "our page is served with a CSP");
        return page;
    }

    private static JsonObject Activity() => JsonNode.Parse("""
        {
          "id": "activity-1",
          "key": "REST-1",
          "name": "Slack alert",
          "metaData": { "isConfigured": false, "icon": "images/icon.svg" },
          "arguments": { "execute": { "inArguments": [ { "contactKey": "{{Contact.Key}}" }, { "channel": "ops" } ], "url": "https://sfmc.example.com/actions/slack-alert/sfmc/execute" } }
        }
        """)!.AsObject();

    [Test]
    public async Task On_initActivity_the_page_shows_the_in_arguments_and_Done_sends_updateActivity_with_the_values()
    {
        var page = await OpenAsync(Activity());
        var frame = page.FrameLocator("#activity");

        // Bindings are shown read-only; per-journey values are inputs, pre-filled from the activity (or the default).
        await Assertions.Expect(frame.Locator("#arg-contactKey")).ToHaveTextAsync("{{Contact.Key}}");
        await Assertions.Expect(frame.Locator("#arg-firstName")).ToHaveTextAsync("{{Contact.Attribute.Customers.FirstName}}");
        await Assertions.Expect(frame.Locator("#arg-channel")).ToHaveValueAsync("ops");
        await Assertions.Expect(frame.Locator("#title")).ToHaveTextAsync("Slack alert");
        Assert.That(await frame.Locator("#arg-webhookUrl").GetAttributeAsync("type"), Is.EqualTo("password"), "a secret argument is not shown");

        // Done without the required values: a message, and nothing is sent to Journey Builder.
        await frame.Locator("#save").ClickAsync();
        await Assertions.Expect(frame.Locator("#error")).ToContainTextAsync("Slack webhook URL");
        Assert.That(await page.EvaluateAsync<bool>("window.updated === null"), Is.True);

        await frame.Locator("#arg-webhookUrl").FillAsync("https://hooks.slack.com/services/T0/B0/abc");
        await frame.Locator("#arg-messageTemplate").FillAsync("Order shipped <b>today</b>");
        await frame.Locator("#save").ClickAsync();
        await page.WaitForFunctionAsync("window.updated !== null");

        var updated = JsonNode.Parse(await page.EvaluateAsync<string>("JSON.stringify(window.updated)"))!;
        Assert.That(updated["arguments"]!["execute"]!["inArguments"]!.ToJsonString(ExternalAction.Contracts.Json.ContractJson.Options), Is.EqualTo(
            """[{"contactKey":"{{Contact.Key}}"},{"firstName":"{{Contact.Attribute.Customers.FirstName}}"},{"webhookUrl":"https://hooks.slack.com/services/T0/B0/abc"},{"channel":"ops"},{"messageTemplate":"Order shipped <b>today</b>"}]"""));
        Assert.That(updated["metaData"]!["isConfigured"]!.GetValue<bool>(), Is.True);
        Assert.That((updated["id"]!.GetValue<string>(), updated["arguments"]!["execute"]!["url"]!.GetValue<string>()),
            Is.EqualTo(("activity-1", "https://sfmc.example.com/actions/slack-alert/sfmc/execute")), "the rest of the activity is kept");
        Assert.That(await page.EvaluateAsync<int>("window.readyCount"), Is.EqualTo(1));
        await page.CloseAsync();
    }

    [Test]
    public async Task The_page_is_served_with_a_csp_that_allows_only_its_own_origin_and_journey_builders_frame()
    {
        using var response = await _host.Client.GetAsync("/actions/slack-alert/sfmc/index.html");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.That(csp, Does.Contain("default-src 'none'").And.Contain("script-src 'self'").And.Contain($"frame-ancestors {JourneyBuilder}"));
        var html = await response.Content.ReadAsStringAsync();
        Assert.That(html, Does.Contain("src=\"postmonger.js\"").And.Not.Contain("http://").And.Not.Contain("https://"), "no CDN, no third-party script");
        using var postmonger = await _host.Client.GetAsync("/actions/slack-alert/sfmc/postmonger.js");
        Assert.That(await postmonger.Content.ReadAsStringAsync(), Does.Contain("Postmonger.Session"));
    }
}
