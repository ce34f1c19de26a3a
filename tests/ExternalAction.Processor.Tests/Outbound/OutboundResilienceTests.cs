using System.Globalization;
using System.Text.Json.Nodes;
using ExternalAction.Actions;
using ExternalAction.Processor.Callbacks;
using ExternalAction.Processor.Tests.Callbacks;
using ExternalAction.Processor.Delivery;
using ExternalAction.Processor.Outbound;
using ExternalAction.ServiceDefaults.Messaging;
using ExternalAction.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using WireMock.Server;
using static ExternalAction.Processor.Tests.TestMessages;
using Request = WireMock.RequestBuilders.Request;
using Response = WireMock.ResponseBuilders.Response;

namespace ExternalAction.Processor.Tests.Outbound;

/// <summary>
/// Issue 9 item 6: the Polly pipelines every outbound attempt runs through (one per channel, one for all callbacks), on a
/// <see cref="FakeTimeProvider"/>: a 429 opens the circuit for its Retry-After and the attempts meanwhile come back at
/// once as transient results with the time left; full budget queues are refused, not waited on; timeouts, HMAC
/// timestamps and Retry-After dates all read the one clock; the Refit clients come from the container.
/// </summary>
public sealed class OutboundResilienceTests
{
    private WireMockServer _wire = null!;
    private FakeTimeProvider _clock = null!;
    private ServiceProvider? _services;

    [SetUp]
    public void Start()
    {
        _wire = WireMockServer.Start();
        _clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        Configure();
    }

    [TearDown]
    public void Stop()
    {
        var unmatched = _wire.LogEntries.Where(e => e.RequestMatchResult?.IsPerfectMatch != true).ToList();
        _services?.Dispose();
        _wire.Stop();
        _wire.Dispose();
        Assert.That(unmatched, Is.Empty, "every outbound request must match a stub");
    }

    private void Configure(int consumerSlots = 32, int callbackTimeoutSeconds = 30)
    {
        _services?.Dispose();
        var settings = new Dictionary<string, string?>
        {
            ["Secrets:hook-token"] = "hook-secret-value",
            ["Secrets:twilio"] = "twilio-secret-value",
            ["ExternalAction:Callback:TimeoutSeconds"] = callbackTimeoutSeconds.ToString(CultureInfo.InvariantCulture),
            // WireMock listens on loopback, which outbound clients refuse unless allowed; the tests share one host.
            ["ExternalAction:Outbound:AllowedNetworks:0"] = "127.0.0.0/8",
            ["ExternalAction:Outbound:PerHostConcurrencyShare"] = "1",
        };
        _services = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build())
            .AddSingleton<TimeProvider>(_clock)
            .AddLogging()
            .Configure<MessagingOptions>(o => o.ConcurrentMessageLimit = consumerSlots)
            .AddChannelDelivery()
            .AddCallbacks()
            .BuildServiceProvider();
    }

    private static ActionDefinition Webhook(string url, string name = "test", int timeoutSeconds = 5, int maxConcurrency = 16, double rate = 0, ChannelAuth? auth = null) =>
        Action("lead-scoring.json", new ChannelDefinition
        {
            Type = ChannelTypes.Webhook,
            Url = url,
            Body = JsonNode.Parse("""{ "id": "{{ lead.id }}" }"""),
            Auth = auth ?? new ChannelAuth(),
            TimeoutSeconds = timeoutSeconds,
            MaxConcurrency = maxConcurrency,
            RatePerSecond = rate,
        }) with { Name = name };

    private string Hook => _wire.Url + "/hook";

    private Task<OutboundResult> Deliver(ActionDefinition action, CancellationToken ct = default) =>
        _services!.GetRequiredService<ChannelDelivery>().DeliverAsync(action, For(SampleRequests.Lead()), ct);

    private Task<OutboundResult> Callback(string url, string requestId = "req-cb") =>
        _services!.GetRequiredService<CallbackClient>().SendSuccessAsync(SampleRequests.Lead("callback-token-1", url), requestId);

    private void Stub(string path, int status, string? retryAfter = null)
    {
        var response = Response.Create().WithStatusCode(status).WithBody("{}");
        _wire.Given(Request.Create().WithPath(path)).RespondWith(retryAfter is null ? response : response.WithHeader("Retry-After", retryAfter));
    }

    private int Sent(string path) => _wire.LogEntries.Count(e => e.RequestMessage.Path == path);

    // The circuit ---------------------------------------------------------------------------------------------------

    [Test]
    public async Task A_429_opens_the_channel_circuit_for_its_retry_after_then_one_probe_closes_it()
    {
        Stub("/hook", 429, retryAfter: "20");
        var action = Webhook(Hook);

        var throttled = await Deliver(action);
        var paused = await Deliver(action);
        _clock.Advance(TimeSpan.FromSeconds(15));
        var stillPaused = await Deliver(action);

        Assert.Multiple(() =>
        {
            Assert.That(throttled.StatusCode, Is.EqualTo(429));
            Assert.That(throttled.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(20)));
            Assert.That(paused.Failure, Is.EqualTo(FailureKind.Transient));
            Assert.That(paused.StatusCode, Is.Null);
            Assert.That(paused.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(20)), "the whole break is left: the clock has not moved");
            Assert.That(paused.OutcomeUnknown, Is.False, "nothing was sent");
            Assert.That(paused.Error, Does.Contain("paused after HTTP 429"));
            Assert.That(stillPaused.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(5)), "what is left of the break");
            Assert.That(Sent("/hook"), Is.EqualTo(1), "nothing reaches the channel while its circuit is open");
        });

        _wire.ResetMappings();
        Stub("/hook", 200);
        _clock.Advance(TimeSpan.FromSeconds(5));
        var probe = await Deliver(action);
        var after = await Deliver(action);

        Assert.That(probe.Succeeded, Is.True, probe.Error);
        Assert.That(after.Succeeded, Is.True, after.Error);
        Assert.That(Sent("/hook"), Is.EqualTo(3));
        Assert.That(_services!.GetRequiredService<OutboundPipelines>().PausedUntil(action), Is.Null);
    }

    [TestCase(null, 30, TestName = "A_429_without_retry_after_pauses_the_channel_for_30_seconds")]
    [TestCase("3600", 300, TestName = "A_429_asking_for_an_hour_pauses_the_channel_for_5_minutes_at_most")]
    [TestCase("0", 0, TestName = "A_429_with_retry_after_0_lets_the_next_delivery_probe_at_once")]
    public async Task A_429_pauses_the_channel_within_bounds(string? retryAfter, int expectedSeconds)
    {
        Stub("/hook", 429, retryAfter);
        var action = Webhook(Hook);

        await Deliver(action);

        var pipelines = _services!.GetRequiredService<OutboundPipelines>();
        if (expectedSeconds == 0)
        {
            Assert.That(pipelines.PausedUntil(action), Is.Null);
            await Deliver(action);
            Assert.That(Sent("/hook"), Is.EqualTo(2), "the break is over as soon as it began");
            return;
        }
        Assert.That(pipelines.PausedUntil(action), Is.EqualTo(_clock.GetUtcNow().AddSeconds(expectedSeconds)));
        Assert.That((await Deliver(action)).RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(expectedSeconds)));
    }

    [Test]
    public async Task A_429_that_is_not_the_first_outcome_opens_the_circuit_as_well()
    {
        Stub("/hook", 200);
        var action = Webhook(Hook);
        Assert.That((await Deliver(action)).Succeeded, Is.True);

        _wire.ResetMappings();
        Stub("/hook", 429, retryAfter: "10");
        Assert.That((await Deliver(action)).StatusCode, Is.EqualTo(429));
        var paused = await Deliver(action);

        Assert.That(paused.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(10)));
        Assert.That(Sent("/hook"), Is.EqualTo(2));
    }

    [Test]
    public async Task A_429_pauses_only_its_own_channel()
    {
        Stub("/hook", 429, retryAfter: "60");
        Stub("/other", 200);

        await Deliver(Webhook(Hook, name: "throttled"));
        var other = await Deliver(Webhook(_wire.Url + "/other", name: "other"));

        Assert.That(other.Succeeded, Is.True, other.Error);
        Assert.That((await Deliver(Webhook(Hook, name: "throttled"))).StatusCode, Is.Null, "the throttled channel is still paused");
    }

    [Test]
    public async Task Callbacks_share_one_circuit_a_429_from_the_platform_pauses_every_callback_but_no_channel()
    {
        Stub("/callback", 429, retryAfter: "7");
        Stub("/hook", 200);

        var throttled = await Callback(_wire.Url + "/callback", "req-1");
        var next = await Callback(_wire.Url + "/callback", "req-2");
        var delivery = await Deliver(Webhook(Hook));

        Assert.Multiple(() =>
        {
            Assert.That(throttled.StatusCode, Is.EqualTo(429));
            Assert.That(next.Failure, Is.EqualTo(FailureKind.Transient));
            Assert.That(next.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(7)));
            Assert.That(next.Error, Does.StartWith(OutboundPipelines.CallbacksKey));
            Assert.That(Sent("/callback"), Is.EqualTo(1), "the second callback is rescheduled, not sent");
            Assert.That(delivery.Succeeded, Is.True, "channels have their own circuits");
        });
    }

    [Test]
    public async Task A_channel_429_does_not_pause_callbacks()
    {
        Stub("/hook", 429, retryAfter: "60");
        Stub("/callback", 200);

        await Deliver(Webhook(Hook));
        var callback = await Callback(_wire.Url + "/callback");

        Assert.That(callback.Succeeded, Is.True, callback.Error);
    }

    // Budgets -------------------------------------------------------------------------------------------------------

    [Test]
    public async Task A_delivery_beyond_the_concurrency_queue_is_refused_at_once_and_nothing_is_sent()
    {
        // One consumer slot: one delivery at a time and one waiting; a third has no place and is rescheduled.
        Configure(consumerSlots: 1);
        using var tarpit = new Tarpit();
        var action = Webhook($"http://127.0.0.1:{tarpit.Port}/hook", maxConcurrency: 1);
        using var stop = new CancellationTokenSource();
        var sending = Deliver(action, stop.Token);
        await tarpit.WaitForConnectionsAsync(1);
        var waiting = Deliver(action, stop.Token);

        var refused = await Deliver(action);

        Assert.Multiple(() =>
        {
            Assert.That(refused.Failure, Is.EqualTo(FailureKind.Transient));
            Assert.That(refused.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(2)), "ExternalAction:Outbound:BusyRetryAfterSeconds");
            Assert.That(refused.Error, Does.Contain("busy"));
            Assert.That(refused.OutcomeUnknown, Is.False);
            Assert.That(waiting.IsCompleted, Is.False, "the second delivery waits for the first");
            Assert.That(tarpit.Connections, Is.EqualTo(1));
        });
        await Tarpit.AbandonAsync(stop, sending, waiting);
    }

    [Test]
    public async Task A_delivery_beyond_the_rate_queue_is_refused_at_once_with_the_time_until_a_token()
    {
        Configure(consumerSlots: 1);
        Stub("/hook", 200);
        var action = Webhook(Hook, rate: 1);

        // All three reach the limiter before anything is awaited: the first takes the one token, the second waits for
        // the next, the third finds the queue (one place per consumer slot) full.
        var first = Deliver(action);
        var waiting = Deliver(action);
        var refused = await Deliver(action);

        Assert.Multiple(() =>
        {
            Assert.That(refused.Failure, Is.EqualTo(FailureKind.Transient));
            Assert.That(refused.RetryAfter, Is.GreaterThan(TimeSpan.Zero).And.LessThanOrEqualTo(TimeSpan.FromSeconds(2)));
            Assert.That(refused.Error, Does.Contain("busy"));
        });
        Assert.That((await first).Succeeded, Is.True);
        Assert.That((await waiting).Succeeded, Is.True, "the waiting delivery goes out with the next token");
        Assert.That(Sent("/hook"), Is.EqualTo(2));
    }

    // Timeouts ------------------------------------------------------------------------------------------------------

    [TestCase("channel", TestName = "A_channel_attempt_times_out_after_its_timeout_seconds_on_the_time_provider")]
    [TestCase("callback", TestName = "A_callback_attempt_times_out_after_callback_timeout_seconds_on_the_time_provider")]
    public async Task An_attempt_times_out_on_the_time_provider(string kind)
    {
        Configure(callbackTimeoutSeconds: 60);
        using var tarpit = new Tarpit();
        var url = $"http://127.0.0.1:{tarpit.Port}/{kind}";
        var attempt = kind == "channel" ? Deliver(Webhook(url, timeoutSeconds: 60)) : Callback(url);
        await tarpit.WaitForConnectionsAsync(1);

        _clock.Advance(TimeSpan.FromSeconds(59));
        Assert.That(attempt.IsCompleted, Is.False, "59 of 60 seconds");
        _clock.Advance(TimeSpan.FromSeconds(1));
        // Well before 60 real seconds: the timeout runs on the time provider.
        var result = await attempt.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.That(result.Failure, Is.EqualTo(FailureKind.Transient));
        Assert.That(result.OutcomeUnknown, Is.True);
        Assert.That(result.Error, Is.EqualTo("timed out waiting for the response"));
    }

    // One clock -----------------------------------------------------------------------------------------------------

    [Test]
    public async Task The_hmac_timestamp_is_the_time_providers_now()
    {
        Stub("/hook", 200);
        await Deliver(Webhook(Hook, auth: new ChannelAuth { Type = ChannelAuthTypes.Hmac, Secret = "hook-token" }));

        var sent = _wire.LogEntries.Single().RequestMessage;
        Assert.That(sent.Headers!["X-Signature-Timestamp"].Single(), Is.EqualTo(_clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)));
    }

    [TestCase(ChannelTypes.Webhook)]
    [TestCase(ChannelTypes.Slack)]
    [TestCase(ChannelTypes.Twilio)]
    [TestCase("callback")]
    public async Task A_retry_after_date_counts_from_the_time_providers_now(string kind)
    {
        var date = _clock.GetUtcNow().AddSeconds(90).ToString("R", CultureInfo.InvariantCulture);
        _wire.Given(Request.Create().UsingPost()).RespondWith(Response.Create().WithStatusCode(503).WithHeader("Retry-After", date));

        var result = kind switch
        {
            "callback" => await Callback(_wire.Url + "/callback"),
            ChannelTypes.Slack => await Deliver(Action("lead-scoring.json", new ChannelDefinition { Type = ChannelTypes.Slack, Url = _wire.Url + "/services/{{ lead.id }}", Text = "hi" })),
            ChannelTypes.Twilio => await Deliver(Action("lead-scoring.json", new ChannelDefinition
            {
                Type = ChannelTypes.Twilio, BaseUrl = _wire.Url, AccountSid = "AC1", AuthTokenSecret = "twilio", From = "+1", To = "+2", Text = "hi",
            })),
            _ => await Deliver(Webhook(Hook)),
        };

        Assert.That(result.Failure, Is.EqualTo(FailureKind.Transient));
        Assert.That(result.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(90)));
    }

    // Refit clients -------------------------------------------------------------------------------------------------

    [Test]
    public void The_refit_clients_come_from_the_container_with_the_outbound_handlers()
    {
        _wire.Given(Request.Create().WithPath("/moved")).RespondWith(Response.Create().WithStatusCode(307).WithHeader("Location", "http://elsewhere.example/"));
        var slack = _services!.GetRequiredService<ISlackWebhookApi>();

        var refused = Assert.ThrowsAsync<RedirectRefusedException>(() => slack.PostAsync(new Uri(_wire.Url + "/moved"), [], "key", default));

        Assert.That(refused!.Status, Is.EqualTo(307), "the redirect refusal sits in the registered client, and send failures reach the caller unwrapped");
        Assert.That(_services.GetRequiredService<ITwilioApi>(), Is.Not.Null);
    }

    [Test]
    public async Task A_slack_url_rendered_from_a_template_and_a_twilio_base_url_with_a_path_are_sent_as_given()
    {
        Stub("/services/12345/hook", 200);
        Stub("/stand-in/2010-04-01/Accounts/AC1/Messages.json", 201);

        var slack = await Deliver(Action("lead-scoring.json", new ChannelDefinition { Type = ChannelTypes.Slack, Url = _wire.Url + "/services/{{ lead.id }}/hook", Text = "hi" }));
        var sms = await Deliver(Action("lead-scoring.json", new ChannelDefinition
        {
            Type = ChannelTypes.Twilio, BaseUrl = _wire.Url + "/stand-in/", AccountSid = "AC1", AuthTokenSecret = "twilio", From = "+1", To = "+2", Text = "hi",
        }) with { Name = "sms" });

        Assert.That(slack.Succeeded, Is.True, slack.Error);
        Assert.That(sms.Succeeded, Is.True, sms.Error);
    }
}
