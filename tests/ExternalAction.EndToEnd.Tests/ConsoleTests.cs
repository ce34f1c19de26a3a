using System.Text.Json.Nodes;
using ExternalAction.TestSupport;
using Microsoft.Playwright;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace ExternalAction.EndToEnd.Tests;

/// <summary>
/// The support console in a real browser (Debian's chromium, headless, driven by Playwright) against the whole
/// deployment: requests go in through the real intake, the Processor works them on RabbitMQ and PostgreSQL, and the
/// console shows and replays them. The Api's clock is set back so a one-minute timeout runs out within seconds.
/// Screenshots go to TestResults/console/.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class ConsoleTests
{
    private EndToEndEnvironment _env = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private static readonly string Screenshots = Path.Combine(RabbitVirtualHost.RepositoryRoot(), "TestResults", "console");

    [OneTimeSetUp]
    public async Task Start()
    {
        _env = await EndToEndEnvironment.StartAsync(apiClockOffset: TimeSpan.FromSeconds(-55), kestrel: true);
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
    }

    /// <summary>A browser page signed in with <paramref name="key"/>; any JavaScript dialog fails the test.</summary>
    private async Task<IPage> SignedInAsync(string key)
    {
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = _env.ApiUrl, IgnoreHTTPSErrors = true, ViewportSize = new ViewportSize { Width = 1360, Height = 900 } });
        var page = await context.NewPageAsync();
        page.Dialog += (_, dialog) => Assert.Fail($"A script ran and opened a dialog: {dialog.Message}");
        await page.GotoAsync("/console");
        Assert.That(page.Url, Does.Contain("/console/signin"), "the console asks for a key first");
        await page.FillAsync("input[name=key]", key);
        await page.ClickAsync("button[type=submit]");
        await Assertions.Expect(page.Locator("header .who")).ToBeVisibleAsync();
        return page;
    }

    private JsonObject Lead(string scenario, string leadId, string journeyName, int timeoutMinutes, out string callbackPath)
    {
        callbackPath = $"/callback/{scenario}";
        var request = SampleRequests.Lead($"tok-{scenario}", _env.WireUrl + callbackPath);
        request["objectData"]!["flowStepContext"]!["scenario"] = scenario;
        request["objectData"]!["objectContext"]!["leadId"] = leadId;
        request["context"]!["journey"]!["name"] = journeyName;
        request["actionConfig"]!["timeout"] = timeoutMinutes;
        return request;
    }

    private async Task ReloadUntilStatusAsync(IPage page, string status)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!(await page.Locator("h1 .status").InnerTextAsync()).Equals(status, StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > until)
                Assert.Fail($"The request page did not show {status}; it shows {await page.Locator("h1 .status").InnerTextAsync()}.");
            await Task.Delay(250);
            await page.GotoAsync(page.Url);
        }
    }

    [Test]
    public async Task Support_finds_a_lead_in_a_journey_with_one_search_and_opens_its_timeline_with_one_click()
    {
        var scenario = $"found-{Guid.NewGuid():N}";
        var leadId = $"{Random.Shared.Next(10_000, 99_999)}{Random.Shared.Next(1000, 9999)}";
        var journey = $"Q4 nurture {scenario[6..14]}";
        var requestId = await _env.AcceptedAsync("lead-scoring", Lead(scenario, leadId, journey, 60, out _));
        await _env.WaitForFinalAsync(requestId);

        var page = await SignedInAsync(EndToEndEnvironment.OperatorKey);
        await page.FillAsync("input[name=entityId]", leadId);
        await page.FillAsync("input[name=journey]", journey);
        await page.ClickAsync("form.filters button[type=submit]");
        var link = page.Locator($"#results a:text-is('{requestId}')");
        await Assertions.Expect(link).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator(".counts")).ToContainTextAsync("CallbackSent: 1");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "search.png"), FullPage = true });

        await link.ClickAsync();
        await Assertions.Expect(page.Locator("h1 .status")).ToHaveTextAsync("CallbackSent");
        var timeline = page.Locator("#timeline tbody tr");
        await Assertions.Expect(timeline.First).ToContainTextAsync("Received");
        Assert.That(await timeline.AllInnerTextsAsync(), Has.Some.Contains("callback accepted (HTTP 200"), "the callback's status code and duration");
        await Assertions.Expect(page.Locator("#payload")).ToContainTextAsync(leadId);
        await Assertions.Expect(page.Locator("#payload")).Not.ToContainTextAsync("admin-secret-api-key");
        await Assertions.Expect(page.Locator("#callback-body")).ToContainTextAsync("leadScore");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "request.png"), FullPage = true });

        await page.ClickAsync("header a:text-is('Dashboard')");
        Assert.That(await page.Locator("svg#by-outcome polyline").CountAsync(), Is.GreaterThanOrEqualTo(1), "requests per minute by outcome");
        Assert.That(await page.Locator("svg#by-action polyline title").AllTextContentsAsync(), Does.Contain("lead-scoring"));
        await Assertions.Expect(page.Locator("#summary")).ToContainTextAsync("p99");
        await Assertions.Expect(page.Locator("#queues")).ToContainTextAsync("externalaction-process");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "dashboard.png"), FullPage = true });
    }

    [Test]
    public async Task A_request_that_timed_out_into_the_dead_letters_is_replayed_from_the_console_and_completes()
    {
        var scenario = $"dead-{Guid.NewGuid():N}";
        _env.Wire.Given(Request.Create().WithPath($"/channel/{scenario}").UsingPost()).AtPriority(10).RespondWith(Response.Create().WithStatusCode(503));
        var requestId = await _env.AcceptedAsync("lead-scoring", Lead(scenario, "777", "Outage journey", 1, out var callbackPath));
        await _env.WaitForFinalAsync(requestId);

        var page = await SignedInAsync(EndToEndEnvironment.OperatorKey);
        await page.GotoAsync("/console/attention");
        var listed = page.Locator($"a:text-is('{requestId}')");
        await Assertions.Expect(listed).ToHaveCountAsync(1);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "attention.png"), FullPage = true });
        await listed.ClickAsync();
        await Assertions.Expect(page.Locator("h1 .status")).ToHaveTextAsync("TimedOut");

        _env.Wire.Given(Request.Create().WithPath($"/channel/{scenario}").UsingPost()).AtPriority(1)
            .RespondWith(Response.Create().WithStatusCode(200).WithBodyAsJson(new { score = 88, tier = "hot" }));
        await page.FillAsync("#replay-form input[name=reason]", "channel back after the outage");
        await page.ClickAsync("#replay-form button[type=submit]");
        await Assertions.Expect(page.Locator("#replay-outcome")).ToContainTextAsync("Replayed");

        await ReloadUntilStatusAsync(page, "CallbackSent");
        // The page after the redirect may already show CallbackSent (a fast Processor): then nothing reloaded it yet.
        await page.GotoAsync(page.Url);
        await Assertions.Expect(page.Locator("#replay-outcome")).ToHaveCountAsync(0); // shown once, after the redirect
        Assert.That(await page.Locator("#timeline").InnerTextAsync(), Does.Contain("replayed by alice: channel back after the outage"));
        Assert.That(_env.RequestsTo(callbackPath), Has.Count.EqualTo(1), "one callback, after the replay");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "replayed.png"), FullPage = true });
    }

    [Test]
    public async Task Script_and_attribute_breaking_payloads_in_lead_data_and_journey_name_render_as_text()
    {
        const string script = "<script>alert('xss')</script>";
        const string attribute = "\"><img src=x onerror=alert(1)>";
        var scenario = $"xss-{Guid.NewGuid():N}";
        var request = Lead(scenario, "4242", script + attribute, 60, out _);
        request["objectData"]!["objectContext"]!["leadData"]!["firstName"] = attribute;
        request["objectData"]!["objectContext"]!["leadData"]!["company"] = script;
        var requestId = await _env.AcceptedAsync("lead-scoring", request);
        await _env.WaitForFinalAsync(requestId);

        var page = await SignedInAsync(EndToEndEnvironment.OperatorKey);
        await page.GotoAsync($"/console?journey={Uri.EscapeDataString(script + attribute)}");
        await Assertions.Expect(page.Locator($"#results a:text-is('{requestId}')")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#results")).ToContainTextAsync(script + attribute);
        await page.GotoAsync($"/console/requests/{requestId}");

        await Assertions.Expect(page.Locator("#journey-name")).ToHaveTextAsync(script + attribute);
        await Assertions.Expect(page.Locator("#payload")).ToContainTextAsync(attribute);
        Assert.That(await page.Locator("main img").CountAsync(), Is.Zero, "no element was injected");
        Assert.That(await page.Locator("main script").CountAsync(), Is.Zero);
        var csp = (await page.ReloadAsync())!.Headers["content-security-policy"];
        Assert.That(csp, Does.Contain("default-src 'none'").And.Not.Contain("unsafe-inline"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "xss-as-text.png"), FullPage = true });
    }

    [Test]
    public async Task A_viewer_sees_no_replay_and_a_forged_replay_post_is_refused()
    {
        var scenario = $"viewer-{Guid.NewGuid():N}";
        _env.Wire.Given(Request.Create().WithPath($"/channel/{scenario}").UsingPost()).AtPriority(10).RespondWith(Response.Create().WithStatusCode(503));
        var requestId = await _env.AcceptedAsync("lead-scoring", Lead(scenario, "888", "Viewer journey", 1, out _));
        await _env.WaitForFinalAsync(requestId);

        var page = await SignedInAsync(EndToEndEnvironment.SupportKey);
        await Assertions.Expect(page.Locator("header .who")).ToContainTextAsync("(viewer)");
        await page.GotoAsync($"/console/requests/{requestId}");
        await Assertions.Expect(page.Locator("h1 .status")).ToHaveTextAsync("TimedOut");
        await Assertions.Expect(page.Locator("#replay-form")).ToHaveCountAsync(0);

        // The form is not there, but a viewer could still post one: the server refuses it.
        var token = await page.Locator("header input[name=__RequestVerificationToken]").GetAttributeAsync("value");
        var response = await page.Context.APIRequest.PostAsync($"/console/requests/{requestId}?handler=Replay", new APIRequestContextOptions
        {
            Form = page.Context.APIRequest.CreateFormData().Set("reason", "sneaky").Set("__RequestVerificationToken", token!),
        });
        Assert.That(response.Status, Is.EqualTo(403));
        Assert.That(EndToEndEnvironment.StatusOf((await _env.SupportViewAsync(requestId))!.Value), Is.EqualTo("TimedOut"));
    }

    [Test]
    public async Task A_replay_post_without_the_antiforgery_token_is_refused()
    {
        var page = await SignedInAsync(EndToEndEnvironment.OperatorKey);
        var response = await page.Context.APIRequest.PostAsync("/console/requests/any?handler=Replay", new APIRequestContextOptions
        {
            Form = page.Context.APIRequest.CreateFormData().Set("reason", "forged"),
        });
        Assert.That(response.Status, Is.EqualTo(400));
    }

    /// <summary>Opens the preview page from the navigation, loads the sample of <paramref name="action"/> and returns the page.</summary>
    private static async Task<IPage> PreviewPageAsync(IPage page, string action)
    {
        await page.ClickAsync("header a:text-is('Preview')");
        await page.SelectOptionAsync("#choose-form select[name=action]", action);
        await page.ClickAsync("#choose-form button[type=submit]");
        await Assertions.Expect(page.Locator("#preview-form textarea[name=sample]")).ToContainTextAsync("\"objectType\": \"lead\"");
        return page;
    }

    [Test]
    public async Task A_viewer_previews_a_B2B_sample_and_sees_the_channel_request_and_the_callback_with_nothing_sent()
    {
        var channelBefore = _env.RequestsTo("/channel/lead").Count;
        var page = await PreviewPageAsync(await SignedInAsync(EndToEndEnvironment.SupportKey), "lead-scoring");
        await Assertions.Expect(page.Locator("header .who")).ToContainTextAsync("(viewer)");
        await page.FillAsync("#preview-form textarea[name=channelBody]", """{ "score": 91, "tier": "hot", "phone": "+1-555-0101" }""");
        await page.ClickAsync("#preview-form button[type=submit]");

        await Assertions.Expect(page.Locator("#outcome-status")).ToHaveTextAsync("CallbackSent");
        var delivery = page.Locator("#step-delivery");
        await Assertions.Expect(delivery.Locator(".request-line")).ToHaveTextAsync($"POST {_env.WireUrl}/channel/lead");
        await Assertions.Expect(delivery.Locator("table.headers")).ToContainTextAsync("Idempotency-Key");
        await Assertions.Expect(delivery.Locator("table.headers")).ToContainTextAsync("Preview journey");
        await Assertions.Expect(delivery.Locator("pre.body")).ToContainTextAsync("\"email\": \"jane@example.com\"");
        var report = page.Locator("#step-report");
        await Assertions.Expect(report.Locator("h3")).ToHaveTextAsync("report: callback");
        await Assertions.Expect(report.Locator(".request-line")).ToHaveTextAsync("POST https://callbacks.adobe.io/preview/callback");
        await Assertions.Expect(report.Locator("tr:has(td:text-is('X-Callback-Token')) code")).ToHaveTextAsync("***");
        await Assertions.Expect(report.Locator("tr:has(td:text-is('Authorization')) code")).ToHaveTextAsync("Bearer ***");
        await Assertions.Expect(report.Locator("pre.body")).ToContainTextAsync("\"leadScore\": 91");
        await Assertions.Expect(page.Locator("#accessor-values")).ToContainTextAsync("\"scoreTier\": \"hot\"");
        await Assertions.Expect(page.Locator("#selected-path")).ToHaveTextAsync("default");
        await Assertions.Expect(page.Locator("#answer")).ToContainTextAsync("accepted");
        Assert.That(await page.Locator("main").InnerTextAsync(), Does.Not.Contain("preview-sample-token").And.Not.Contain(EndToEndEnvironment.ImsToken),
            "the callback token and the IMS token are masked");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "preview.png"), FullPage = true });
        Assert.That(_env.RequestsTo("/channel/lead"), Has.Count.EqualTo(channelBefore), "a preview sends nothing to the channel");
        Assert.That(_env.RequestsTo("/preview/callback"), Is.Empty);
    }

    [Test]
    public async Task Script_and_attribute_breaking_payloads_in_a_preview_sample_render_as_text()
    {
        const string script = "<script>alert('xss')</script>";
        const string attribute = "\"><img src=x onerror=alert(1)>";
        var page = await PreviewPageAsync(await SignedInAsync(EndToEndEnvironment.SupportKey), "lead-scoring");
        var sample = SampleRequests.Lead("tok-preview-xss", "https://callbacks.adobe.io/preview/callback");
        sample["objectData"]!["objectContext"]!["leadData"]!["firstName"] = attribute;
        sample["objectData"]!["objectContext"]!["leadData"]!["company"] = script;
        sample["context"]!["journey"]!["name"] = script + attribute;
        await page.FillAsync("#preview-form textarea[name=sample]", sample.ToJsonString());
        await page.ClickAsync("#preview-form button[type=submit]");

        await Assertions.Expect(page.Locator("#outcome-status")).ToHaveTextAsync("CallbackSent");
        // The channel body renders "Hi {{ lead.firstName }}" (JSON-escaped in the body) and the X-Journey header the journey name: both shown as text.
        await Assertions.Expect(page.Locator("#step-delivery pre.body")).ToContainTextAsync("\"note\": \"Hi \\" + attribute);
        await Assertions.Expect(page.Locator("#step-delivery tr:has(td:text-is('X-Journey')) code")).ToHaveTextAsync(script + attribute);
        await Assertions.Expect(page.Locator("#preview-form textarea[name=sample]")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex(System.Text.RegularExpressions.Regex.Escape("onerror=alert(1)")));
        Assert.That(await page.Locator("main img").CountAsync(), Is.Zero, "no element was injected");
        Assert.That(await page.Locator("main script").CountAsync(), Is.Zero);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "preview-xss-as-text.png"), FullPage = true });
    }

    [Test]
    public async Task A_preview_post_without_the_antiforgery_token_is_refused()
    {
        var page = await SignedInAsync(EndToEndEnvironment.SupportKey);
        var response = await page.Context.APIRequest.PostAsync("/console/preview", new APIRequestContextOptions
        {
            Form = page.Context.APIRequest.CreateFormData().Set("action", "lead-scoring").Set("sample", "{}"),
        });
        Assert.That(response.Status, Is.EqualTo(400));
    }
}
