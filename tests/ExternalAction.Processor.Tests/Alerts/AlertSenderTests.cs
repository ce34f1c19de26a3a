using System.Text.Json.Nodes;
using ExternalAction.Processor.Alerts;
using ExternalAction.Processor.Templating;
using ExternalAction.ServiceDefaults.Secrets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace ExternalAction.Processor.Tests.Alerts;

/// <summary>
/// Alerts against a WireMock webhook: a breached condition is posted once per interval, with the console link and the
/// templated text; a condition under its threshold is not; a refused post is tried again at the next check.
/// </summary>
public sealed class AlertSenderTests
{
    private WireMockServer _wire = null!;
    private ServiceProvider _services = null!;
    private FakeTimeProvider _clock = null!;

    [SetUp]
    public void Start()
    {
        _wire = WireMockServer.Start();
        _wire.Given(Request.Create().WithPath("/hooks/alert").UsingPost()).RespondWith(Response.Create().WithStatusCode(200).WithBody("ok"));
        _services = new ServiceCollection().AddHttpClient().BuildServiceProvider();
        _clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 1, 0, 0, TimeSpan.Zero));
    }

    [TearDown]
    public void Stop()
    {
        _services.Dispose();
        _wire.Stop();
        _wire.Dispose();
    }

    private AlertSender Sender(string kind = AlertKinds.Slack, string path = "/hooks/alert") => new(
        _services.GetRequiredService<IHttpClientFactory>(),
        new SecretResolver(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Secrets:alert-hook"] = _wire.Url + path }).Build()),
        new TemplateRenderer(),
        Options.Create(new AlertOptions
        {
            UrlSecret = "alert-hook", Kind = kind, IntervalMinutes = 15, ConsoleBaseUrl = "https://support.example.com/",
        }),
        _clock, NullLogger<AlertSender>.Instance);

    private static AlertCondition AtRisk(long value) => new(AlertMonitor.AtRisk, "unfinished requests close to their deadline", value, 10);

    private static AlertCondition DeadLetters(long value) => new(AlertMonitor.DeadLetters, "requests dead-lettered", value, 1);

    private IReadOnlyList<JsonObject> Posted() =>
        _wire.LogEntries.Where(e => e.RequestMessage.Path == "/hooks/alert").Select(e => JsonNode.Parse(e.RequestMessage.Body!)!.AsObject()).ToList();

    [Test]
    public async Task A_breached_condition_is_posted_to_slack_once_per_interval_with_a_link_to_needs_attention()
    {
        var sender = Sender();

        Assert.That(await sender.CheckAsync([AtRisk(12)], default), Is.EqualTo(new[] { AlertMonitor.AtRisk }));
        _clock.Advance(TimeSpan.FromMinutes(5));
        Assert.That(await sender.CheckAsync([AtRisk(30)], default), Is.Empty, "within the interval");
        _clock.Advance(TimeSpan.FromMinutes(10));
        Assert.That(await sender.CheckAsync([AtRisk(11)], default), Is.EqualTo(new[] { AlertMonitor.AtRisk }), "the interval has passed");

        var posted = Posted();
        Assert.That(posted, Has.Count.EqualTo(2));
        Assert.That(posted[0]["text"]!.GetValue<string>(), Is.EqualTo(
            "ExternalAction: unfinished requests close to their deadline: 12 (threshold 10). https://support.example.com/console/attention#at-risk"));
    }

    [Test]
    public async Task Conditions_are_limited_each_on_its_own_and_one_under_its_threshold_is_not_posted()
    {
        var sender = Sender(AlertKinds.Webhook);

        Assert.That(await sender.CheckAsync([AtRisk(9), DeadLetters(3)], default), Is.EqualTo(new[] { AlertMonitor.DeadLetters }));
        Assert.That(await sender.CheckAsync([AtRisk(10), DeadLetters(4)], default), Is.EqualTo(new[] { AlertMonitor.AtRisk }), "dead letters already alerted this interval");

        var posted = Posted();
        Assert.That(posted, Has.Count.EqualTo(2));
        Assert.That(posted[0]["condition"]!.GetValue<string>(), Is.EqualTo("dead-letters"));
        Assert.That(posted[0]["value"]!.GetValue<long>(), Is.EqualTo(3));
        Assert.That(posted[0]["link"]!.GetValue<string>(), Is.EqualTo("https://support.example.com/console/attention#failed"));
    }

    [Test]
    public async Task A_refused_alert_is_sent_again_at_the_next_check()
    {
        _wire.Given(Request.Create().WithPath("/hooks/down").UsingPost()).RespondWith(Response.Create().WithStatusCode(500));
        var sender = Sender(path: "/hooks/down");

        Assert.That(await sender.CheckAsync([DeadLetters(1)], default), Is.Empty);
        Assert.That(await sender.CheckAsync([DeadLetters(1)], default), Is.Empty);
        Assert.That(_wire.LogEntries.Count(e => e.RequestMessage.Path == "/hooks/down"), Is.EqualTo(2), "not held back by the interval: nothing was delivered");
    }

    [Test]
    public async Task Without_a_url_secret_nothing_is_sent()
    {
        var sender = new AlertSender(_services.GetRequiredService<IHttpClientFactory>(), new SecretResolver(new ConfigurationBuilder().Build()),
            new TemplateRenderer(), Options.Create(new AlertOptions()), _clock, NullLogger<AlertSender>.Instance);
        Assert.That(await sender.CheckAsync([DeadLetters(100)], default), Is.Empty);
        Assert.That(_wire.LogEntries, Is.Empty);
    }
}
