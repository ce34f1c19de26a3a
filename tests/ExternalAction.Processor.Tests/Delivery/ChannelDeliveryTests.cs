using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using ExternalAction.Actions;
using ExternalAction.Processor.Delivery;
using ExternalAction.Processor.Outbound;
using ExternalAction.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using Microsoft.Extensions.Logging;
using static ExternalAction.Processor.Tests.TestMessages;
using Request = WireMock.RequestBuilders.Request;
using Response = WireMock.ResponseBuilders.Response;

namespace ExternalAction.Processor.Tests.Delivery;

/// <summary>Each channel sends exactly the expected request to a WireMock stand-in; outcomes are classified for retry.</summary>
public sealed class ChannelDeliveryTests
{
    private WireMockServer _wire = null!;
    private ServiceProvider _services = null!;
    private ChannelDelivery _delivery = null!;
    private LogCapture _logs = null!;

    [SetUp]
    public void Start()
    {
        _wire = WireMockServer.Start();
        _logs = new LogCapture();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Secrets:hook-token"] = "hook-secret-value",
            ["Secrets:slack-url"] = $"{_wire.Url}/services/T000/B000/XXXX",
            ["Secrets:twilio"] = "twilio-secret-value",
            // WireMock listens on loopback, which outbound clients refuse unless allowed; the tests share one host.
            ["ExternalAction:Outbound:AllowedNetworks:0"] = "127.0.0.0/8",
            ["ExternalAction:Outbound:PerHostConcurrencyShare"] = "1",
        }).Build();
        _services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddLogging(l => l.AddProvider(_logs).SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Trace))
            .AddChannelDelivery()
            .BuildServiceProvider();
        _delivery = _services.GetRequiredService<ChannelDelivery>();
    }

    [TearDown]
    public void Stop()
    {
        var unmatched = _wire.LogEntries.Where(e => e.RequestMatchResult?.IsPerfectMatch != true).ToList();
        _services.Dispose();
        _wire.Stop();
        _wire.Dispose();
        Assert.That(unmatched, Is.Empty, "every outbound request must match a stub");
    }

    private ActionDefinition Webhook(ChannelAuth? auth = null, string path = "/hook", int timeoutSeconds = 5, int maxConcurrency = 16, double rate = 0) =>
        Action("lead-scoring.json", new ChannelDefinition
        {
            Type = ChannelTypes.Webhook,
            Url = _wire.Url + path,
            Headers = new() { ["X-Journey"] = "{{ journey.name }}" },
            Body = JsonNode.Parse("""{ "email": "{{ lead.email }}", "id": "{{ lead.id }}" }"""),
            Auth = auth ?? new ChannelAuth(),
            TimeoutSeconds = timeoutSeconds,
            MaxConcurrency = maxConcurrency,
            RatePerSecond = rate,
        });

    private void Stub(string path, int status = 200, string body = """{"ok":true}""", TimeSpan? delay = null, string? retryAfter = null)
    {
        var response = Response.Create().WithStatusCode(status).WithBody(body);
        if (delay is { } d)
            response = response.WithDelay(d);
        if (retryAfter is not null)
            response = response.WithHeader("Retry-After", retryAfter);
        _wire.Given(Request.Create().WithPath(path)).RespondWith(response);
    }

    [Test]
    public async Task A_webhook_gets_the_rendered_body_headers_and_idempotency_key()
    {
        Stub("/hook", body: """{"score":91}""");
        var result = await _delivery.DeliverAsync(Webhook(), For(SampleRequests.Lead(), "req-abc"), default);

        Assert.That(result.Succeeded, Is.True);
        Assert.That(result.ResponseBody, Is.EqualTo("""{"score":91}"""));
        var sent = _wire.LogEntries.Single().RequestMessage;
        Assert.That(sent.Method, Is.EqualTo("POST"));
        Assert.That(sent.Headers!["Idempotency-Key"].Single(), Is.EqualTo("req-abc"));
        Assert.That(sent.Headers["X-Journey"].Single(), Is.EqualTo("Welcome series"));
        Assert.That(sent.Headers["Content-Type"].Single(), Does.StartWith("application/json"));
        Assert.That(JsonNode.Parse(sent.Body!)!.ToJsonString(), Is.EqualTo("""{"email":"jane@example.com","id":"12345"}"""));
    }

    [TestCase(ChannelAuthTypes.Bearer, "Authorization", "Bearer hook-secret-value")]
    [TestCase(ChannelAuthTypes.Basic, "Authorization", "Basic dXNlcjpob29rLXNlY3JldC12YWx1ZQ==")]
    [TestCase(ChannelAuthTypes.ApiKey, "X-Hook-Key", "hook-secret-value")]
    public async Task Webhook_auth_kinds_send_their_header(string type, string header, string expected)
    {
        Stub("/hook");
        var auth = new ChannelAuth { Type = type, Secret = "hook-token", Username = "user", HeaderName = type == ChannelAuthTypes.ApiKey ? "X-Hook-Key" : null };
        await _delivery.DeliverAsync(Webhook(auth), For(SampleRequests.Lead()), default);
        Assert.That(_wire.LogEntries.Single().RequestMessage.Headers![header].Single(), Is.EqualTo(expected));
    }

    [Test]
    public async Task An_hmac_signature_can_be_recomputed_by_the_receiver()
    {
        Stub("/hook");
        await _delivery.DeliverAsync(Webhook(new ChannelAuth { Type = ChannelAuthTypes.Hmac, Secret = "hook-token" }), For(SampleRequests.Lead()), default);
        var sent = _wire.LogEntries.Single().RequestMessage;
        var timestamp = sent.Headers!["X-Signature-Timestamp"].Single();
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes("hook-secret-value"), Encoding.UTF8.GetBytes($"{timestamp}.{sent.Body}")));
        Assert.That(sent.Headers["X-Signature"].Single(), Is.EqualTo(expected));
    }

    [Test]
    public async Task Slack_gets_text_and_blocks_at_the_secret_webhook_url()
    {
        Stub("/services/T000/B000/XXXX", body: "ok");
        var action = Action("account-enrichment.json", new ChannelDefinition
        {
            Type = ChannelTypes.Slack,
            UrlSecret = "slack-url",
            Text = "Account {{ account.accountName }} \"quoted\"",
            Blocks = JsonNode.Parse("""[ { "type": "section", "text": { "type": "mrkdwn", "text": "*{{ account.industry }}*" } } ]""")!.AsArray(),
        });
        var result = await _delivery.DeliverAsync(action, For(SampleRequests.Account(), "req-slack"), default);
        Assert.That(result.Succeeded, Is.True);
        var sent = _wire.LogEntries.Single().RequestMessage;
        Assert.That(sent.Headers!["Idempotency-Key"].Single(), Is.EqualTo("req-slack"));
        var body = JsonNode.Parse(sent.Body!)!;
        Assert.That(body["text"]!.GetValue<string>(), Is.EqualTo("Account Acme Corporation \"quoted\""));
        Assert.That(body["blocks"]![0]!["text"]!["text"]!.GetValue<string>(), Is.EqualTo("*Technology*"));
        Assert.That(_logs.All, Does.Not.Contain("/services/T000"), "the Slack webhook URL is a secret");
    }

    [Test]
    public async Task Teams_gets_the_rendered_Adaptive_Card_as_the_attachment_of_a_message_at_the_secret_url()
    {
        Stub("/services/T000/B000/XXXX", body: "1");
        var action = Action("account-enrichment.json", new ChannelDefinition
        {
            Type = ChannelTypes.Teams,
            UrlSecret = "slack-url",
            Card = JsonNode.Parse("""
                { "type": "AdaptiveCard", "version": "1.4",
                  "body": [ { "type": "TextBlock", "text": "Account {{ account.accountName }} \"quoted\"", "wrap": true },
                            { "type": "FactSet", "facts": [ { "title": "Industry", "value": "{{ account.industry }}" } ] } ] }
                """)!.AsObject(),
        });
        var result = await _delivery.DeliverAsync(action, For(SampleRequests.Account(), "req-teams"), default);

        Assert.That(result.Succeeded, Is.True, result.Error);
        var sent = _wire.LogEntries.Single().RequestMessage;
        Assert.That(sent.Headers!["Idempotency-Key"].Single(), Is.EqualTo("req-teams"));
        var body = JsonNode.Parse(sent.Body!)!;
        Assert.That(body["type"]!.GetValue<string>(), Is.EqualTo("message"));
        var attachment = body["attachments"]!.AsArray().Single()!;
        Assert.That(attachment["contentType"]!.GetValue<string>(), Is.EqualTo("application/vnd.microsoft.card.adaptive"));
        Assert.That(attachment["content"]!["body"]![0]!["text"]!.GetValue<string>(), Is.EqualTo("Account Acme Corporation \"quoted\""));
        Assert.That(attachment["content"]!["body"]![1]!["facts"]![0]!["value"]!.GetValue<string>(), Is.EqualTo("Technology"));
        Assert.That(_logs.All, Does.Not.Contain("/services/T000"), "the Teams webhook URL is a secret");
    }

    [TestCase(429, FailureKind.Transient)]
    [TestCase(400, FailureKind.Permanent)]
    public async Task Teams_refusals_are_classified_like_every_channel_s(int status, FailureKind expected)
    {
        Stub("/services/T000/B000/XXXX", status: status, body: "Webhook message delivery failed");
        var action = Action("account-enrichment.json", new ChannelDefinition { Type = ChannelTypes.Teams, UrlSecret = "slack-url", Text = "Account {{ account.accountName }}" });
        var result = await _delivery.DeliverAsync(action, For(SampleRequests.Account(), "req-teams-refused"), default);
        Assert.That((result.Failure, result.StatusCode), Is.EqualTo((expected, (int?)status)));
        var card = JsonNode.Parse(_wire.LogEntries.Single().RequestMessage.Body!)!["attachments"]![0]!["content"]!;
        Assert.That(card["body"]![0]!["text"]!.GetValue<string>(), Is.EqualTo("Account Acme Corporation"), "text alone becomes a one-block card");
    }

    [Test]
    public async Task Twilio_gets_a_form_with_basic_auth_and_its_idempotency_token()
    {
        Stub("/2010-04-01/Accounts/AC123/Messages.json", status: 201, body: """{"sid":"SM1"}""");
        var action = Action("lead-scoring.json", new ChannelDefinition
        {
            Type = ChannelTypes.Twilio, BaseUrl = _wire.Url, AccountSid = "AC123", AuthTokenSecret = "twilio",
            From = "+15550001", To = "+1555{{ lead.id }}", Text = "Hi {{ lead.firstName }} & welcome",
        });
        var result = await _delivery.DeliverAsync(action, For(SampleRequests.Lead(), "req-sms"), default);
        Assert.That(result.Succeeded, Is.True);
        var sent = _wire.LogEntries.Single().RequestMessage;
        Assert.That(sent.Headers!["I-Twilio-Idempotency-Token"].Single(), Is.EqualTo("req-sms"));
        Assert.That(sent.Headers["Authorization"].Single(), Is.EqualTo("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("AC123:twilio-secret-value"))));
        var form = System.Web.HttpUtility.ParseQueryString(sent.Body!);
        Assert.That(form["To"], Is.EqualTo("+155512345"));
        Assert.That(form["From"], Is.EqualTo("+15550001"));
        Assert.That(form["Body"], Is.EqualTo("Hi Jane & welcome"));
        Assert.That(_logs.All, Does.Not.Contain("twilio-secret-value"));
    }

    [TestCase(500, FailureKind.Transient)]
    [TestCase(503, FailureKind.Transient)]
    [TestCase(408, FailureKind.Transient)]
    [TestCase(400, FailureKind.Permanent)]
    [TestCase(404, FailureKind.Permanent)]
    [TestCase(401, FailureKind.Permanent)]
    public async Task Http_statuses_are_classified(int status, FailureKind expected)
    {
        Stub("/hook", status: status);
        var result = await _delivery.DeliverAsync(Webhook(), For(SampleRequests.Lead()), default);
        Assert.That(result.Failure, Is.EqualTo(expected));
        Assert.That(result.StatusCode, Is.EqualTo(status));
    }

    [Test]
    public async Task A_429_is_transient_carries_retry_after_and_pauses_the_channel()
    {
        Stub("/hook", status: 429, retryAfter: "2");
        var action = Webhook();
        var result = await _delivery.DeliverAsync(action, For(SampleRequests.Lead()), default);
        Assert.That(result.Failure, Is.EqualTo(FailureKind.Transient));
        Assert.That(result.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(2)));
        Assert.That(_services.GetRequiredService<OutboundPipelines>().PausedUntil(action), Is.GreaterThan(DateTimeOffset.UtcNow.AddSeconds(1)));
    }

    [Test]
    public async Task A_refused_connection_is_transient()
    {
        _wire.Stop();
        var result = await _delivery.DeliverAsync(Webhook(), For(SampleRequests.Lead()), default);
        Assert.That(result.Failure, Is.EqualTo(FailureKind.Transient));
        Assert.That(result.OutcomeUnknown, Is.False);
    }

    [Test]
    public async Task A_timeout_is_transient_with_an_unknown_outcome()
    {
        Stub("/hook", delay: TimeSpan.FromSeconds(3));
        var result = await _delivery.DeliverAsync(Webhook(timeoutSeconds: 1), For(SampleRequests.Lead()), default);
        Assert.That(result.Failure, Is.EqualTo(FailureKind.Transient));
        Assert.That(result.OutcomeUnknown, Is.True);
    }

    [Test]
    public async Task The_none_channel_sends_nothing()
    {
        var result = await _delivery.DeliverAsync(Action("lead-scoring.json"), For(SampleRequests.Lead()), default);
        Assert.That(result.Succeeded, Is.True);
        Assert.That(_wire.LogEntries, Is.Empty);
    }

    [Test]
    public async Task The_concurrency_budget_is_never_exceeded()
    {
        _wire.Given(Request.Create().WithPath("/slow")).RespondWith(Response.Create().WithStatusCode(200).WithDelay(TimeSpan.FromMilliseconds(300)));
        var action = Webhook(path: "/slow", maxConcurrency: 2);
        var inFlight = 0;
        var peak = 0;
        var tasks = Enumerable.Range(0, 10).Select(_ => _services.GetRequiredService<OutboundPipelines>().Channel(action).ExecuteAsync(async ct =>
        {
            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref peak, now);
            await Task.Delay(50, ct);
            Interlocked.Decrement(ref inFlight);
            return new OutboundResult { Failure = FailureKind.None };
        }, default));
        await Task.WhenAll(tasks);
        Assert.That(peak, Is.EqualTo(2));

        var timer = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => _delivery.DeliverAsync(action, For(SampleRequests.Lead()), default)));
        Assert.That(timer.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(850)), "6 deliveries of 300 ms, 2 at a time, take at least 3 rounds");
    }

    [Test]
    public async Task The_rate_budget_spaces_deliveries()
    {
        Stub("/hook");
        var action = Webhook(rate: 5);
        var timer = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 15).Select(_ => _delivery.DeliverAsync(action, For(SampleRequests.Lead()), default)));
        // A bucket of 5 tokens refilled at 5/s: 15 deliveries need about 2 s; allow generous slack upwards only.
        Assert.That(timer.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(1.6)));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = target) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
