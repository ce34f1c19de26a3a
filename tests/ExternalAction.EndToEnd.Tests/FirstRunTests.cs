using System.Text;
using System.Text.RegularExpressions;
using ExternalAction.TestSupport;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Playwright;

namespace ExternalAction.EndToEnd.Tests;

/// <summary>
/// README's first run, as a newcomer does it: the embedded default in Development with nothing configured, README's
/// trial request sent as written (its port changed), then the console opened with the development support key shows
/// the request's timeline and the callback the development inbox received.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed partial class FirstRunTests
{
    [Test]
    public async Task README_s_trial_request_is_seen_end_to_end_in_the_console_with_the_development_support_key()
    {
        var database = Path.Combine(Path.GetTempPath(), $"first-run-{Guid.NewGuid():N}.db");
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await using var host = new FirstRunHost(database);
        host.UseKestrel(port);
        host.StartServer();
        var baseUrl = $"http://localhost:{port}";

        var readme = await File.ReadAllTextAsync(Path.Combine(RabbitVirtualHost.RepositoryRoot(), "README.md"));
        var trial = TrialBody().Match(readme);
        Assert.That(trial.Success, Is.True, "README's trial curl has a -d '…' body");
        var body = trial.Groups["body"].Value.Replace("http://localhost:5080", baseUrl, StringComparison.Ordinal);
        Assert.That(body, Does.Contain($"{baseUrl}/dev/callbacks/"), "the trial calls back to the development inbox");
        using var client = new HttpClient { BaseAddress = new Uri(baseUrl) };
        using var submit = new HttpRequestMessage(HttpMethod.Post, "/actions/lead-scoring/submitAsyncAction") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        submit.Headers.Add("X-API-Key", "dev-key-change-me");
        using var accepted = await client.SendAsync(submit);
        Assert.That((int)accepted.StatusCode, Is.EqualTo(200), await accepted.Content.ReadAsStringAsync());
        var requestId = System.Text.Json.JsonDocument.Parse(await accepted.Content.ReadAsStringAsync()).RootElement.GetProperty("requestId").GetString()!;

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ["--no-sandbox"] });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { BaseURL = baseUrl });
        await page.GotoAsync("/console");
        await Assertions.Expect(page.Locator(".signin .notice")).ToContainTextAsync("development-support-key");
        await page.FillAsync("input[name=key]", "development-support-key");
        await page.ClickAsync("button[type=submit]");
        await Assertions.Expect(page.Locator("header .who")).ToHaveTextAsync("developer (operator)");

        await page.FillAsync("input[name=entityId]", "12345");
        await page.ClickAsync("form.filters button[type=submit]");
        await page.ClickAsync($"#results a:text-is('{requestId}')");
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (await page.Locator("h1 .status").InnerTextAsync() != "CallbackSent" && DateTime.UtcNow < until)
        {
            await Task.Delay(200);
            await page.GotoAsync(page.Url);
        }
        await Assertions.Expect(page.Locator("h1 .status")).ToHaveTextAsync("CallbackSent");
        await Assertions.Expect(page.Locator("#timeline")).ToContainTextAsync("callback accepted (HTTP 200");

        await page.ClickAsync("header a:text-is('Callback inbox')");
        await Assertions.Expect(page.Locator($"main a:text-is('{requestId}')")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator(".inbox-body").First).ToContainTextAsync("activityData");
        Directory.CreateDirectory(Path.Combine(RabbitVirtualHost.RepositoryRoot(), "TestResults", "console"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(RabbitVirtualHost.RepositoryRoot(), "TestResults", "console", "first-run-inbox.png"), FullPage = true });

        foreach (var suffix in new[] { "", "-wal", "-shm" })
            File.Delete(database + suffix);
    }

    [GeneratedRegex("""submitAsyncAction \\\n.*?-d '(?<body>\{.*?\})'""", RegexOptions.Singleline)]
    private static partial Regex TrialBody();

    /// <summary>The Api as <c>dotnet run</c> starts it with nothing configured, but for a database file of its own.</summary>
    private sealed class FirstRunHost(string database) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Development");
            builder.UseSetting("ExternalAction:Store:ConnectionString", $"Data Source={database}");
        }
    }
}
