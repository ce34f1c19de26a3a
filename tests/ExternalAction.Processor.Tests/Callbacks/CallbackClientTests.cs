using ExternalAction.Processor.Callbacks;
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

namespace ExternalAction.Processor.Tests.Callbacks;

/// <summary>The callback with the platform's headers, an IMS token cached and refreshed once on 401, and the retry classification.</summary>
public sealed class CallbackClientTests
{
    private const string Secret = "ims-client-secret-value";
    private WireMockServer _wire = null!;
    private ServiceProvider _services = null!;
    private LogCapture _logs = null!;

    [SetUp]
    public void Start()
    {
        _wire = WireMockServer.Start();
        _logs = new LogCapture();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ExternalAction:Callback:ImsTokenUrl"] = $"{_wire.Url}/ims/token/v3",
            ["ExternalAction:Callback:ClientId"] = "client-1",
            ["ExternalAction:Callback:TimeoutSeconds"] = "2",
            ["Secrets:ims-client-secret"] = Secret,
        }).Build();
        _services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddLogging(l => l.AddProvider(_logs).SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Trace))
            .AddCallbacks()
            .BuildServiceProvider();
    }

    [TearDown]
    public void Stop()
    {
        _services.Dispose();
        _wire.Stop();
        _wire.Dispose();
    }

    private void Token(string token = "tok-A", int expiresIn = 86399, string? state = null, string? next = null)
    {
        var mapping = _wire.Given(Request.Create().WithPath("/ims/token/v3").UsingPost());
        if (state is not null || next is not null)
        {
            mapping = mapping.InScenario("ims");
            if (state is not null)
                mapping = mapping.WhenStateIs(state);
            if (next is not null)
                mapping = mapping.WillSetStateTo(next);
        }
        mapping.RespondWith(Response.Create().WithStatusCode(200).WithBodyAsJson(new { access_token = token, token_type = "bearer", expires_in = expiresIn }));
    }

    private Task<OutboundResult> Send(string token = "callback-token-1")
    {
        var message = For(SampleRequests.Lead(token, $"{_wire.Url}/callback"), "req-cb");
        var body = CallbackBuilder.Build(Action("lead-scoring.json"), message, new CallbackOutcome { Success = true });
        return _services.GetRequiredService<CallbackClient>().SendAsync(message, body, default);
    }

    private void Callback(int status, string? state = null, string? next = null, string? retryAfter = null)
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
        mapping.RespondWith(response);
    }

    [Test]
    public async Task The_callback_carries_every_platform_header()
    {
        Token();
        Callback(200);
        var result = await Send("the-callback-token");
        Assert.That(result.Succeeded, Is.True);
        var headers = _wire.LogEntries.Single(e => e.RequestMessage.Path == "/callback").RequestMessage.Headers!;
        Assert.That(headers["X-Callback-Token"].Single(), Is.EqualTo("the-callback-token"));
        Assert.That(headers["Authorization"].Single(), Is.EqualTo("Bearer tok-A"));
        Assert.That(headers["X-Api-Key"].Single(), Is.EqualTo("client-1"));
        Assert.That(headers["x-gw-ims-org-id"].Single(), Is.EqualTo("12345@AdobeOrg"));
        Assert.That(headers.First(h => h.Key.Equals("X-Request-Id", StringComparison.OrdinalIgnoreCase)).Value.Single(), Is.EqualTo("req-cb"));
        Assert.That(headers["Content-Type"].Single(), Does.StartWith("application/json"));
        var form = System.Web.HttpUtility.ParseQueryString(_wire.LogEntries.Single(e => e.RequestMessage.Path == "/ims/token/v3").RequestMessage.Body!);
        Assert.That(form["grant_type"], Is.EqualTo("client_credentials"));
        Assert.That(form["client_secret"], Is.EqualTo(Secret));
    }

    [Test]
    public async Task The_token_is_fetched_once_for_many_concurrent_callbacks()
    {
        Token();
        Callback(200);
        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Send()));
        Assert.That(_wire.LogEntries.Count(e => e.RequestMessage.Path == "/ims/token/v3"), Is.EqualTo(1));
    }

    [Test]
    public async Task A_token_near_expiry_is_refreshed()
    {
        Token("short", expiresIn: 1);
        Callback(200);
        await Send();
        await Task.Delay(1100);
        await Send();
        Assert.That(_wire.LogEntries.Count(e => e.RequestMessage.Path == "/ims/token/v3"), Is.EqualTo(2));
    }

    [Test]
    public async Task A_401_refreshes_the_token_once_and_resends()
    {
        Token("stale", state: null, next: "fresh");
        Token("fresh", state: "fresh");
        Callback(401, next: "ok");
        Callback(200, state: "ok");
        var result = await Send();
        Assert.That(result.Succeeded, Is.True);
        var auths = _wire.LogEntries.Where(e => e.RequestMessage.Path == "/callback").Select(e => e.RequestMessage.Headers!["Authorization"].Single()).ToList();
        Assert.That(auths, Is.EqualTo(new[] { "Bearer stale", "Bearer fresh" }));
    }

    [Test]
    public async Task A_second_401_is_permanent()
    {
        Token();
        Callback(401);
        var result = await Send();
        Assert.That(result.Failure, Is.EqualTo(FailureKind.Permanent));
        Assert.That(_wire.LogEntries.Count(e => e.RequestMessage.Path == "/callback"), Is.EqualTo(2));
    }

    [TestCase(400, FailureKind.Permanent)]
    [TestCase(403, FailureKind.Permanent)]
    [TestCase(500, FailureKind.Transient)]
    [TestCase(503, FailureKind.Transient)]
    public async Task Platform_answers_are_classified(int status, FailureKind expected)
    {
        Token();
        Callback(status);
        Assert.That((await Send()).Failure, Is.EqualTo(expected));
    }

    [Test]
    public async Task A_429_is_transient_with_its_retry_after()
    {
        Token();
        Callback(429, retryAfter: "7");
        var result = await Send();
        Assert.That(result.Failure, Is.EqualTo(FailureKind.Transient));
        Assert.That(result.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(7)));
    }

    [Test]
    public async Task A_slow_platform_is_a_transient_unknown_outcome()
    {
        Token();
        _wire.Given(Request.Create().WithPath("/callback")).RespondWith(Response.Create().WithStatusCode(200).WithDelay(TimeSpan.FromSeconds(4)));
        var result = await Send();
        Assert.That(result.Failure, Is.EqualTo(FailureKind.Transient));
        Assert.That(result.OutcomeUnknown, Is.True);
    }

    [Test]
    public async Task Neither_the_client_secret_nor_the_tokens_reach_the_logs()
    {
        Token("ims-token-value");
        Callback(500);
        await Send("callback-token-secret");
        Assert.That(_logs.All, Does.Not.Contain(Secret).And.Not.Contain("ims-token-value").And.Not.Contain("callback-token-secret"));
    }
}
