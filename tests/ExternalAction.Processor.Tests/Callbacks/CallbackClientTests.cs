using System.Text.Json.Nodes;
using ExternalAction.Processor.Callbacks;
using ExternalAction.Processor.Outbound;
using ExternalAction.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WireMock.Server;
using static ExternalAction.Processor.Tests.TestMessages;
using Request = WireMock.RequestBuilders.Request;
using Response = WireMock.ResponseBuilders.Response;

namespace ExternalAction.Processor.Tests.Callbacks;

/// <summary>
/// The callback against WireMock standing in for the platform and for IMS: headers, the token cached, refreshed near
/// expiry and once on 401, the retry classification, and no secret in the logs.
/// </summary>
public sealed class CallbackClientTests
{
    private const string Secret = "ims-client-secret-value";
    private const string TokenPath = "/ims/token/v3";
    private WireMockServer _wire = null!;
    private ServiceProvider? _services;
    private LogCapture _logs = null!;
    private ManualClock _clock = null!;

    [SetUp]
    public void Start()
    {
        _wire = WireMockServer.Start();
        Configure();
    }

    [TearDown]
    public void Stop()
    {
        _services?.Dispose();
        _wire.Stop();
        _wire.Dispose();
    }

    /// <summary>A fresh service provider (so a fresh token cache), with the default settings changed by <paramref name="change"/>.</summary>
    private void Configure(Action<Dictionary<string, string?>>? change = null)
    {
        _services?.Dispose();
        _logs = new LogCapture();
        _clock = new ManualClock();
        var settings = new Dictionary<string, string?>
        {
            ["ExternalAction:Callback:ImsTokenUrl"] = $"{_wire.Url}{TokenPath}",
            ["ExternalAction:Callback:ClientId"] = "client-1",
            // Generous: on a loaded 2-core machine a WireMock answer can take seconds; only the slow-platform test needs a timeout.
            ["ExternalAction:Callback:TimeoutSeconds"] = "6",
            ["Secrets:ims-client-secret"] = Secret,
            // WireMock listens on loopback, which outbound clients refuse unless allowed; the tests share one host.
            ["ExternalAction:Outbound:AllowedNetworks:0"] = "127.0.0.0/8",
            ["ExternalAction:Outbound:PerHostConcurrencyShare"] = "1",
        };
        change?.Invoke(settings);
        _services = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build())
            .AddSingleton<TimeProvider>(_clock)
            .AddLogging(l => l.AddProvider(_logs).SetMinimumLevel(LogLevel.Trace))
            .AddCallbacks()
            .BuildServiceProvider();
    }

    private void Token(string token = "tok-A", int expiresIn = 86399, string? state = null, string? next = null, int status = 200)
    {
        var mapping = _wire.Given(Request.Create().WithPath(TokenPath).UsingPost());
        if (state is not null || next is not null)
        {
            mapping = mapping.InScenario("ims");
            if (state is not null)
                mapping = mapping.WhenStateIs(state);
            if (next is not null)
                mapping = mapping.WillSetStateTo(next);
        }
        mapping.RespondWith(status == 200
            ? Response.Create().WithStatusCode(200).WithBodyAsJson(new { access_token = token, token_type = "bearer", expires_in = expiresIn })
            : Response.Create().WithStatusCode(status).WithBodyAsJson(new { error = "invalid_client", error_description = "bad secret" }));
    }

    private void Callback(int status, string? state = null, string? next = null, string? retryAfter = null, string? body = null)
    {
        var mapping = _wire.Given(Request.Create().WithPath("/callback").UsingPost());
        if (state is not null || next is not null)
        {
            mapping = mapping.InScenario("cb");
            if (state is not null)
                mapping = mapping.WhenStateIs(state);
            if (next is not null)
                mapping = mapping.WillSetStateTo(next);
        }
        var response = Response.Create().WithStatusCode(status);
        if (retryAfter is not null)
            response = response.WithHeader("Retry-After", retryAfter);
        if (body is not null)
            response = response.WithHeader("Content-Type", "application/json").WithBody(body);
        mapping.RespondWith(response);
    }

    private Task<OutboundResult> Send(string token = "callback-token-1", JsonObject? request = null) =>
        _services!.GetRequiredService<CallbackClient>().SendSuccessAsync(request ?? SampleRequests.Lead(token, $"{_wire.Url}/callback"), "req-cb");

    private int TokenFetches => _wire.LogEntries.Count(e => e.RequestMessage.Path == TokenPath);

    private IEnumerable<WireMock.Logging.ILogEntry> Callbacks => _wire.LogEntries.Where(e => e.RequestMessage.Path == "/callback");

    private static string Header(WireMock.Logging.ILogEntry entry, string name) =>
        entry.RequestMessage.Headers!.Single(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value.Single();

    [Test]
    public async Task The_callback_carries_every_platform_header()
    {
        Token();
        Callback(200);
        var result = await Send("the-callback-token");
        Assert.That(result.Succeeded, Is.True);
        var entry = Callbacks.Single();
        Assert.That(entry.RequestMessage.Method, Is.EqualTo("POST"));
        Assert.That(Header(entry, "X-Callback-Token"), Is.EqualTo("the-callback-token"));
        Assert.That(Header(entry, "Authorization"), Is.EqualTo("Bearer tok-A"));
        Assert.That(Header(entry, "X-Api-Key"), Is.EqualTo("client-1"));
        Assert.That(Header(entry, "x-gw-ims-org-id"), Is.EqualTo("12345@AdobeOrg"));
        Assert.That(Header(entry, "X-Request-Id"), Is.EqualTo("req-cb"));
        Assert.That(Header(entry, "Content-Type"), Does.StartWith("application/json"));
        Assert.That(JsonNode.Parse(entry.RequestMessage.Body!)!["objectData"]![0]!["leadData"]!["id"]!.GetValue<long>(), Is.EqualTo(12345));
    }

    [TestCase("tok\r\nX-Smuggled: 1\r\n\r\nPOST /steal HTTP/1.1", TestName = "A_callback_token_with_CRLF_is_refused_for_good_and_nothing_is_sent")]
    [TestCase("tok\nX", TestName = "A_callback_token_with_a_bare_LF_is_refused_for_good_and_nothing_is_sent")]
    [TestCase("tok\0X", TestName = "A_callback_token_with_NUL_is_refused_for_good_and_nothing_is_sent")]
    [TestCase("tök", TestName = "A_callback_token_with_non_ASCII_is_refused_for_good_and_nothing_is_sent")]
    public async Task Unsafe_callback_header_values_are_permanent_and_nothing_is_sent(string token)
    {
        Token();
        Callback(200);
        var request = SampleRequests.Lead("placeholder", $"{_wire.Url}/callback");
        request["token"] = token;

        var result = await Send(request: request);

        Assert.That(result.Failure, Is.EqualTo(FailureKind.Permanent));
        Assert.That(result.Error, Does.Contain("X-Callback-Token"));
        Assert.That(result.Error, Does.Not.Contain("tok"), "the reason never quotes the token");
        Assert.That(Callbacks, Is.Empty, "no request, and so no smuggled one carrying the IMS bearer and X-Api-Key");
    }

    [Test]
    public async Task An_ims_org_id_with_a_line_break_is_refused_for_good()
    {
        Token();
        Callback(200);
        var request = SampleRequests.Lead("callback-token-1", $"{_wire.Url}/callback");
        request["context"]!["subscription"]!["imsOrgId"] = "org\r\nX-Smuggled: 1";

        var result = await Send(request: request);

        Assert.That(result.Failure, Is.EqualTo(FailureKind.Permanent));
        Assert.That(result.Error, Does.Contain("x-gw-ims-org-id"));
        Assert.That(Callbacks, Is.Empty);
    }

    [Test]
    public async Task An_ims_access_token_that_is_not_a_header_value_is_never_used()
    {
        Token("tok\r\nX-Smuggled: 1");
        Callback(200);

        var result = await Send();

        Assert.That(result.Failure, Is.EqualTo(FailureKind.Transient), "the token endpoint misbehaved: try again later");
        Assert.That(result.Error, Does.Contain("not a valid header value"));
        Assert.That(result.Error, Does.Not.Contain("Smuggled"));
        Assert.That(Callbacks, Is.Empty);
    }

    [Test]
    public async Task An_ims_secret_rotated_away_after_start_is_permanent_naming_the_secret_not_retried()
    {
        Token();
        Callback(200);
        Assert.That(_services!.GetRequiredService<IOptions<CallbackOptions>>().Value.ImsTokenUrl, Is.Not.Null, "started with the secret set");
        _services!.GetRequiredService<IConfiguration>()["Secrets:ims-client-secret"] = "";

        var result = await Send();

        Assert.That(result.Failure, Is.EqualTo(FailureKind.Permanent), result.Error);
        Assert.That(result.Error, Does.Contain("'ims-client-secret' is not configured"));
        Assert.That(TokenFetches, Is.Zero);
        Assert.That(Callbacks, Is.Empty);
    }

    [Test]
    public async Task The_platform_supplied_callback_url_never_reaches_the_logs()
    {
        Token();
        Callback(200);
        var request = SampleRequests.Lead("callback-token-1", $"{_wire.Url}/callback?sig=platform-query-secret");

        var result = await Send(request: request);

        Assert.That(result.Succeeded, Is.True, result.Error);
        Assert.That(_logs.All, Does.Not.Contain("platform-query-secret").And.Not.Contain("/callback"), "no HttpClient request logging of the callback URL");
        Assert.That(_logs.All, Does.Not.Contain(TokenPath), "nor of the IMS token URL");
    }

    [Test]
    public async Task The_token_request_is_an_oauth_client_credentials_grant()
    {
        Token();
        Callback(200);
        await Send();
        var token = _wire.LogEntries.Single(e => e.RequestMessage.Path == TokenPath);
        Assert.That(Header(token, "Content-Type"), Does.StartWith("application/x-www-form-urlencoded"));
        var form = System.Web.HttpUtility.ParseQueryString(token.RequestMessage.Body!);
        Assert.That(form["grant_type"], Is.EqualTo("client_credentials"));
        Assert.That(form["client_id"], Is.EqualTo("client-1"));
        Assert.That(form["client_secret"], Is.EqualTo(Secret));
        Assert.That(form["scope"], Is.EqualTo("openid,AdobeID,read_organizations"));
    }

    [Test]
    public async Task Configured_api_key_and_org_fallback_are_used()
    {
        Configure(s =>
        {
            s["ExternalAction:Callback:ApiKey"] = "api-key-2";
            s["ExternalAction:Callback:ImsOrgId"] = "FALLBACK@AdobeOrg";
        });
        Token();
        Callback(200);
        var request = SampleRequests.Lead("t", $"{_wire.Url}/callback");
        request["context"]!["subscription"]!.AsObject().Remove("imsOrgId");
        await Send(request: request);
        var entry = Callbacks.Single();
        Assert.That(Header(entry, "X-Api-Key"), Is.EqualTo("api-key-2"));
        Assert.That(Header(entry, "x-gw-ims-org-id"), Is.EqualTo("FALLBACK@AdobeOrg"));
    }

    [Test]
    public async Task The_token_is_fetched_once_for_many_callbacks_one_after_another()
    {
        Token();
        Callback(200);
        for (var i = 0; i < 5; i++)
            await Send();
        Assert.That(TokenFetches, Is.EqualTo(1));
        Assert.That(Callbacks.Count(), Is.EqualTo(5));
    }

    [Test]
    public async Task The_token_is_fetched_once_for_many_concurrent_callbacks()
    {
        _wire.Given(Request.Create().WithPath(TokenPath).UsingPost()).RespondWith(Response.Create()
            .WithBodyAsJson(new { access_token = "tok-A", expires_in = 86399 }).WithDelay(TimeSpan.FromMilliseconds(200)));
        Callback(200);
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Send()));
        Assert.That(results.All(r => r.Succeeded), Is.True);
        Assert.That(TokenFetches, Is.EqualTo(1));
    }

    [Test]
    public async Task A_token_is_reused_until_the_refresh_margin_and_refreshed_after_it()
    {
        // 3600 s tokens, refreshed 300 s (the default margin) before they expire.
        Token("first", expiresIn: 3600, next: "second");
        Token("second", expiresIn: 3600, state: "second");
        Callback(200);
        await Send();
        _clock.Advance(TimeSpan.FromSeconds(3299));
        await Send();
        Assert.That(TokenFetches, Is.EqualTo(1));
        _clock.Advance(TimeSpan.FromSeconds(2));
        await Send();
        Assert.That(TokenFetches, Is.EqualTo(2));
        Assert.That(Callbacks.Select(e => Header(e, "Authorization")), Is.EqualTo(new[] { "Bearer first", "Bearer first", "Bearer second" }));
    }

    [Test]
    public async Task A_401_refreshes_the_token_once_and_resends()
    {
        Token("stale", next: "fresh");
        Token("fresh", state: "fresh");
        Callback(401, next: "ok");
        Callback(200, state: "ok");
        var result = await Send();
        Assert.That(result.Succeeded, Is.True, result.Error);
        Assert.That(Callbacks.Select(e => Header(e, "Authorization")), Is.EqualTo(new[] { "Bearer stale", "Bearer fresh" }));
        Assert.That(Callbacks.Select(e => Header(e, "X-Callback-Token")).Distinct().Count(), Is.EqualTo(1), "the same callback, resent");
    }

    [Test]
    public async Task A_second_401_is_permanent()
    {
        Token();
        Callback(401);
        var result = await Send();
        Assert.That(result.Failure, Is.EqualTo(FailureKind.Permanent));
        Assert.That(result.StatusCode, Is.EqualTo(401));
        Assert.That(Callbacks.Count(), Is.EqualTo(2), "one resend only");
        Assert.That(TokenFetches, Is.EqualTo(2));
    }

    [TestCase(400, FailureKind.Permanent)]
    [TestCase(403, FailureKind.Permanent)]
    [TestCase(404, FailureKind.Permanent)]
    [TestCase(408, FailureKind.Transient)]
    [TestCase(500, FailureKind.Transient)]
    [TestCase(502, FailureKind.Transient)]
    [TestCase(503, FailureKind.Transient)]
    public async Task Platform_answers_are_classified(int status, FailureKind expected)
    {
        Token();
        Callback(status);
        var result = await Send();
        Assert.That(result.Failure, Is.EqualTo(expected));
        Assert.That(result.StatusCode, Is.EqualTo(status));
        Assert.That(Callbacks.Count(), Is.EqualTo(1), "the client never resends on its own except after a 401");
    }

    [TestCase(429)]
    [TestCase(500)]
    public async Task A_throttled_or_failing_platform_is_transient_with_its_retry_after(int status)
    {
        Token();
        Callback(status, retryAfter: "7");
        var result = await Send();
        Assert.That(result.Failure, Is.EqualTo(FailureKind.Transient));
        Assert.That(result.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(7)));
    }

    [Test]
    public async Task A_refusal_keeps_the_platform_answer_for_the_caller()
    {
        Token();
        Callback(400, body: """{"error":{"code":"INVALID_CALLBACK_TOKEN","message":"Invalid token"}}""");
        var result = await Send();
        Assert.That(result.Failure, Is.EqualTo(FailureKind.Permanent));
        Assert.That(result.ResponseBody, Does.Contain("INVALID_CALLBACK_TOKEN"));
    }

    [Test]
    public async Task A_slow_platform_is_a_transient_unknown_outcome()
    {
        Token();
        _wire.Given(Request.Create().WithPath("/callback")).RespondWith(Response.Create().WithStatusCode(200).WithDelay(TimeSpan.FromSeconds(12)));
        var result = await Send();
        Assert.That(result.Failure, Is.EqualTo(FailureKind.Transient));
        Assert.That(result.OutcomeUnknown, Is.True);
    }

    [Test]
    public async Task An_unreachable_platform_is_transient()
    {
        Token();
        var request = SampleRequests.Lead("t", "http://127.0.0.1:1/callback");
        var result = await Send(request: request);
        Assert.That(result.Failure, Is.EqualTo(FailureKind.Transient));
        Assert.That(result.OutcomeUnknown, Is.False, "the connection was refused, so nothing arrived");
    }

    [TestCase(401)]
    [TestCase(500)]
    public async Task A_failing_token_endpoint_is_transient_and_sends_nothing(int status)
    {
        Token(status: status);
        Callback(200);
        var result = await Send();
        Assert.That(result.Failure, Is.EqualTo(FailureKind.Transient));
        Assert.That(result.OutcomeUnknown, Is.False);
        Assert.That(result.Error, Does.StartWith("no IMS access token").And.Contain(status.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(Callbacks, Is.Empty);
    }

    [Test]
    public async Task A_token_answer_without_an_access_token_is_transient()
    {
        _wire.Given(Request.Create().WithPath(TokenPath).UsingPost()).RespondWith(Response.Create().WithBodyAsJson(new { expires_in = 60 }));
        Callback(200);
        var result = await Send();
        Assert.That(result.Failure, Is.EqualTo(FailureKind.Transient));
        Assert.That(Callbacks, Is.Empty);
    }

    [Test]
    public async Task Without_a_token_endpoint_no_authorization_is_sent_and_a_401_is_final()
    {
        Configure(s => s["ExternalAction:Callback:ImsTokenUrl"] = null);
        Callback(401);
        var result = await Send();
        Assert.That(result.Failure, Is.EqualTo(FailureKind.Permanent));
        var entry = Callbacks.Single();
        Assert.That(entry.RequestMessage.Headers!.Keys, Has.No.Member("Authorization"));
        Assert.That(TokenFetches, Is.Zero);
    }

    [Test]
    public void A_token_endpoint_without_its_secret_fails_at_start()
    {
        Configure(s => s["Secrets:ims-client-secret"] = null);
        var error = Assert.Throws<OptionsValidationException>(() => _ = _services!.GetRequiredService<IOptions<CallbackOptions>>().Value);
        Assert.That(error!.Message, Does.Contain("client secret"));
    }

    [Test]
    public async Task Neither_the_client_secret_nor_the_tokens_reach_the_logs()
    {
        Token("ims-token-value", next: "broken");
        Token(state: "broken", status: 401);
        Callback(401);
        await Send("callback-token-secret");
        Assert.That(_wire.LogEntries.Count(e => e.RequestMessage.Path == TokenPath), Is.EqualTo(2), "a success and a failure were both logged");
        Assert.That(_logs.All, Is.Not.Empty);
        Assert.That(_logs.All, Does.Not.Contain(Secret).And.Not.Contain("ims-token-value").And.Not.Contain("callback-token-secret"));
    }

    /// <summary>A clock the test moves by hand, for token expiry.</summary>
    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = DateTimeOffset.UtcNow;

        public void Advance(TimeSpan by) => _now += by;

        public override DateTimeOffset GetUtcNow() => _now;
    }
}
