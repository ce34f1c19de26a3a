using ExternalAction.Actions;
using ExternalAction.Processor.Callbacks;
using ExternalAction.Processor.Tests.Callbacks;
using ExternalAction.Processor.Delivery;
using ExternalAction.Processor.Outbound;
using ExternalAction.ServiceDefaults.Messaging;
using ExternalAction.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using WireMock.Server;
using static ExternalAction.Processor.Tests.TestMessages;
using Request = WireMock.RequestBuilders.Request;
using Response = WireMock.ResponseBuilders.Response;

namespace ExternalAction.Processor.Tests.Outbound;

/// <summary>
/// Issue 8, findings 4, 5 and 9, through the real clients (channel delivery and callback) against WireMock and a tarpit:
/// redirects are refused for good naming only the Location host, internal addresses are refused at connect time
/// (unless allowed), and one host that never answers cannot take more than its share of requests.
/// </summary>
public sealed class OutboundSafetyTests
{
    private WireMockServer _wire = null!;
    private WireMockServer _elsewhere = null!;
    private ServiceProvider? _services;

    [SetUp]
    public void Start()
    {
        _wire = WireMockServer.Start();
        _elsewhere = WireMockServer.Start();
    }

    [TearDown]
    public void Stop()
    {
        _services?.Dispose();
        _wire.Stop();
        _wire.Dispose();
        _elsewhere.Stop();
        _elsewhere.Dispose();
    }

    private static readonly Dictionary<string, string?> Loopback = new()
    {
        ["ExternalAction:Outbound:AllowedNetworks:0"] = "127.0.0.0/8",
        ["ExternalAction:Outbound:AllowedNetworks:1"] = "::1/128",
    };

    private void Configure(Dictionary<string, string?>? settings = null, int consumerSlots = 32, string? slackUrl = null)
    {
        _services?.Dispose();
        var all = new Dictionary<string, string?>(settings ?? Loopback)
        {
            ["Secrets:hook-key"] = "hook-key-secret-value",
            ["Secrets:slack-url"] = slackUrl ?? $"http://127.0.0.1:{_wire.Port}/services/T000/B000/XXXX",
        };
        _services = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(all).Build())
            .AddLogging()
            .Configure<MessagingOptions>(o => o.ConcurrentMessageLimit = consumerSlots)
            .AddChannelDelivery()
            .AddCallbacks()
            .BuildServiceProvider();
    }

    private Task<OutboundResult> Callback(string callbackUrl, CancellationToken ct = default) =>
        _services!.GetRequiredService<CallbackClient>().SendSuccessAsync(SampleRequests.Lead("callback-token-1", callbackUrl), "req-out", ct);

    private Task<OutboundResult> Deliver(ChannelDefinition channel, CancellationToken ct = default) =>
        _services!.GetRequiredService<ChannelDelivery>().DeliverAsync(Action("lead-scoring.json", channel), For(SampleRequests.Lead()), ct);

    private static ChannelDefinition Webhook(string url) => new()
    {
        Type = ChannelTypes.Webhook,
        Url = url,
        Auth = new ChannelAuth { Type = ChannelAuthTypes.ApiKey, Secret = "hook-key", HeaderName = "X-Hook-Key" },
        TimeoutSeconds = 20,
    };

    private static int Port(WireMockServer server) => server.Port;

    // Finding 4 -----------------------------------------------------------------------------------------------------

    [Test]
    public async Task A_callback_answered_307_to_loopback_is_not_followed_and_fails_for_good_naming_the_host()
    {
        Configure();
        _wire.Given(Request.Create().WithPath("/callback")).RespondWith(Response.Create().WithStatusCode(307)
            .WithHeader("Location", $"http://127.0.0.1:{Port(_elsewhere)}/steal?key=secret-in-query"));
        _elsewhere.Given(Request.Create().WithPath("/steal")).RespondWith(Response.Create().WithStatusCode(200));

        var result = await Callback($"http://127.0.0.1:{Port(_wire)}/callback");

        Assert.Multiple(() =>
        {
            Assert.That(result.Failure, Is.EqualTo(FailureKind.Permanent));
            Assert.That(result.StatusCode, Is.EqualTo(307));
            Assert.That(result.Error, Does.Contain($"127.0.0.1:{Port(_elsewhere)}").And.Contain("redirect"));
            Assert.That(result.Error, Does.Not.Contain("steal").And.Not.Contain("secret-in-query"));
            Assert.That(_elsewhere.LogEntries, Is.Empty, "the redirect must not be followed");
            Assert.That(_wire.LogEntries, Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task A_webhook_answered_302_does_not_carry_its_api_key_to_another_port()
    {
        Configure();
        _wire.Given(Request.Create().WithPath("/hook")).RespondWith(Response.Create().WithStatusCode(302)
            .WithHeader("Location", $"http://localhost:{Port(_elsewhere)}/collect"));
        _elsewhere.Given(Request.Create().WithPath("/collect")).RespondWith(Response.Create().WithStatusCode(200));

        var result = await Deliver(Webhook($"http://127.0.0.1:{Port(_wire)}/hook"));

        Assert.Multiple(() =>
        {
            Assert.That(result.Failure, Is.EqualTo(FailureKind.Permanent));
            Assert.That(result.StatusCode, Is.EqualTo(302));
            Assert.That(result.Error, Does.Contain($"localhost:{Port(_elsewhere)}").And.Not.Contain("collect"));
            Assert.That(_elsewhere.LogEntries, Is.Empty, "the X-Hook-Key header must not reach the Location");
        });
    }

    [Test]
    public async Task A_slack_webhook_answered_301_fails_for_good_naming_the_host()
    {
        Configure();
        _wire.Given(Request.Create().WithPath("/services/T000/B000/XXXX")).RespondWith(Response.Create().WithStatusCode(301)
            .WithHeader("Location", $"http://localhost:{Port(_elsewhere)}/services/T000/B000/XXXX"));

        var result = await Deliver(new ChannelDefinition { Type = ChannelTypes.Slack, UrlSecret = "slack-url", Text = "hi", TimeoutSeconds = 20 });

        Assert.Multiple(() =>
        {
            Assert.That(result.Failure, Is.EqualTo(FailureKind.Permanent));
            Assert.That(result.Error, Does.Contain($"localhost:{Port(_elsewhere)}").And.Not.Contain("T000"));
            Assert.That(_elsewhere.LogEntries, Is.Empty);
        });
    }

    // Finding 5 -----------------------------------------------------------------------------------------------------

    [Test]
    public async Task A_callback_to_a_name_resolving_to_loopback_is_refused_at_connect_time()
    {
        Configure(settings: []);
        _wire.Given(Request.Create().WithPath("/callback")).RespondWith(Response.Create().WithStatusCode(200));

        var result = await Callback($"http://localhost:{Port(_wire)}/callback");

        Assert.Multiple(() =>
        {
            Assert.That(result.Failure, Is.EqualTo(FailureKind.Permanent));
            Assert.That(result.OutcomeUnknown, Is.False);
            Assert.That(result.Error, Does.Match(@"destination address (127\.0\.0\.1|::1) of localhost is in a blocked range \(loopback\)"));
            Assert.That(result.Error, Does.Contain("ExternalAction:Outbound:AllowedNetworks"));
            Assert.That(_wire.LogEntries, Is.Empty);
        });
    }

    [Test]
    public async Task A_callback_to_a_name_resolving_to_loopback_goes_through_when_loopback_is_allowed()
    {
        Configure(Loopback);
        _wire.Given(Request.Create().WithPath("/callback")).RespondWith(Response.Create().WithStatusCode(200));

        var result = await Callback($"http://localhost:{Port(_wire)}/callback");

        Assert.That(result.Succeeded, Is.True, result.Error);
        Assert.That(_wire.LogEntries, Has.Count.EqualTo(1));
    }

    [TestCase("127.0.0.1")]
    [TestCase("[::ffff:127.0.0.1]")]
    public async Task A_webhook_to_a_loopback_address_literal_is_refused(string host)
    {
        Configure(settings: []);
        _wire.Given(Request.Create().WithPath("/hook")).RespondWith(Response.Create().WithStatusCode(200));

        var result = await Deliver(Webhook($"http://{host}:{Port(_wire)}/hook"));

        Assert.That(result.Failure, Is.EqualTo(FailureKind.Permanent));
        Assert.That(result.Error, Does.Contain("blocked range (loopback"));
        Assert.That(_wire.LogEntries, Is.Empty);
    }

    [Test]
    public void An_allowed_network_that_is_not_a_cidr_range_fails_at_start()
    {
        Configure(new() { ["ExternalAction:Outbound:AllowedNetworks:0"] = "localhost" });
        var failure = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            _services!.GetRequiredService<Microsoft.Extensions.Options.IOptions<OutboundOptions>>().Value.ToString());
        Assert.That(failure!.Message, Does.Contain("AllowedNetworks"));
    }

    // Finding 9 -----------------------------------------------------------------------------------------------------

    [Test]
    public void The_connect_timeout_is_short_and_configurable()
    {
        Assert.That(OutboundHttpExtensions.CreatePrimaryHandler(new OutboundOptions()).ConnectTimeout, Is.EqualTo(TimeSpan.FromSeconds(5)));
        Assert.That(OutboundHttpExtensions.CreatePrimaryHandler(new OutboundOptions { ConnectTimeoutSeconds = 2 }).ConnectTimeout, Is.EqualTo(TimeSpan.FromSeconds(2)));
    }

    [Test]
    public async Task A_burst_above_the_share_to_a_fast_host_waits_briefly_and_is_served_not_rescheduled()
    {
        var settings = new Dictionary<string, string?>(Loopback) { ["ExternalAction:Outbound:PerHostConcurrencyShare"] = "0.25" };
        Configure(settings, consumerSlots: 8);
        _elsewhere.Given(Request.Create().WithPath("/callback")).RespondWith(Response.Create().WithStatusCode(200).WithDelay(TimeSpan.FromMilliseconds(20)));

        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Callback($"http://localhost:{Port(_elsewhere)}/callback")));

        Assert.That(results.Select(r => r.Error), Is.All.Null, "2 at a time, the other 4 waited for a place");
        Assert.That(_elsewhere.LogEntries.Count(e => e.RequestMessage.Path == "/callback"), Is.EqualTo(6));
    }

    [Test]
    public async Task A_host_that_never_answers_holds_only_its_share_and_other_hosts_are_served_at_once()
    {
        // 8 consumer slots at 25 % per host: 2 requests to one host at once; the third waits 100 ms, then is busy.
        using var tarpit = new Tarpit();
        var tarpitUrl = $"http://127.0.0.1:{tarpit.Port}/callback";
        var settings = new Dictionary<string, string?>(Loopback)
        {
            ["ExternalAction:Outbound:PerHostConcurrencyShare"] = "0.25",
            ["ExternalAction:Outbound:BusyWaitMilliseconds"] = "100",
        };
        Configure(settings, consumerSlots: 8, slackUrl: tarpitUrl);
        using var stop = new CancellationTokenSource();
        var held = new[] { Callback(tarpitUrl, stop.Token), Deliver(Webhook(tarpitUrl), stop.Token) };
        await tarpit.WaitForConnectionsAsync(2);

        var extraCallback = await Callback(tarpitUrl);
        var extraDelivery = await Deliver(Webhook(tarpitUrl));
        var extraSlack = await Deliver(new ChannelDefinition { Type = ChannelTypes.Slack, UrlSecret = "slack-url", Text = "hi", TimeoutSeconds = 20 });
        _elsewhere.Given(Request.Create().WithPath("/callback")).RespondWith(Response.Create().WithStatusCode(200));
        var elsewhere = await Callback($"http://localhost:{Port(_elsewhere)}/callback");

        Assert.Multiple(() =>
        {
            foreach (var extra in new[] { extraCallback, extraDelivery, extraSlack })
            {
                Assert.That(extra.Failure, Is.EqualTo(FailureKind.Transient));
                Assert.That(extra.Error, Does.StartWith("destination host busy: 127.0.0.1"));
                Assert.That(extra.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(2)));
                Assert.That(extra.OutcomeUnknown, Is.False, "nothing was sent");
            }
            Assert.That(held.Any(t => t.IsCompleted), Is.False, "the busy answers came while the tarpit still held both requests");
            Assert.That(tarpit.Connections, Is.EqualTo(2), "the extra requests never connected");
            Assert.That(elsewhere.Succeeded, Is.True, elsewhere.Error);
        });

        await Tarpit.AbandonAsync(stop, held);
    }
}
