using System.Text.Json.Nodes;
using ExternalAction.Actions;
using ExternalAction.Processor.Delivery;
using ExternalAction.Processor.Outbound;
using ExternalAction.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WireMock.Server;
using static ExternalAction.Processor.Tests.TestMessages;
using Request = WireMock.RequestBuilders.Request;
using Response = WireMock.ResponseBuilders.Response;

namespace ExternalAction.Processor.Tests.Delivery;

/// <summary>The Sinch SMS channel sends one batch to a WireMock stand-in of the REST API; answers are classified for retry.</summary>
public sealed class SinchDeliveryTests
{
    private const string Token = "sinch-api-token-value";
    private const string BatchesPath = "/xms/v1/plan123/batches";
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
            ["Secrets:sinch"] = Token,
            ["ExternalAction:Outbound:AllowedNetworks:0"] = "127.0.0.0/8",
            ["ExternalAction:Outbound:PerHostConcurrencyShare"] = "1",
        }).Build();
        _services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddLogging(l => l.AddProvider(_logs).SetMinimumLevel(LogLevel.Trace))
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

    private ActionDefinition Sinch() => Action("lead-scoring.json", new ChannelDefinition
    {
        Type = ChannelTypes.Sinch, BaseUrl = _wire.Url, ServicePlanId = "plan123", ApiTokenSecret = "sinch",
        From = "+15550001", To = "+1555{{ lead.id }}", Text = "Hi {{ lead.firstName }} & welcome",
    });

    private void Stub(int status, string body = """{"id":"01FC66621XXXXX119Z8PMV1QPQ"}""", string? retryAfter = null)
    {
        var response = Response.Create().WithStatusCode(status).WithBody(body);
        if (retryAfter is not null)
            response = response.WithHeader("Retry-After", retryAfter);
        _wire.Given(Request.Create().WithPath(BatchesPath).UsingPost()).RespondWith(response);
    }

    [Test]
    public async Task Sinch_gets_one_batch_with_the_bearer_token_and_the_request_id()
    {
        Stub(201);
        var result = await _delivery.DeliverAsync(Sinch(), For(SampleRequests.Lead(), "req-sinch"), default);

        Assert.That(result.Succeeded, Is.True);
        Assert.That(result.StatusCode, Is.EqualTo(201));
        var sent = _wire.LogEntries.Single().RequestMessage;
        Assert.That(sent.Method, Is.EqualTo("POST"));
        Assert.That(sent.Path, Is.EqualTo(BatchesPath));
        Assert.That(sent.Headers!["Authorization"].Single(), Is.EqualTo("Bearer " + Token));
        Assert.That(sent.Headers["Idempotency-Key"].Single(), Is.EqualTo("req-sinch"));
        Assert.That(sent.Headers["Content-Type"].Single(), Does.StartWith("application/json"));
        var expected = JsonNode.Parse("""{"from":"+15550001","to":["+155512345"],"body":"Hi Jane & welcome","type":"mt_text","client_reference":"req-sinch"}""");
        Assert.That(JsonNode.DeepEquals(JsonNode.Parse(sent.Body!), expected), Is.True, sent.Body);
    }

    [Test]
    public void The_region_chooses_the_default_base_url_and_a_base_url_overrides_it()
    {
        var eu = new ChannelDefinition { Type = ChannelTypes.Sinch, Region = "eu" };
        Assert.That(ChannelUrls.SinchBaseUrl(new ChannelDefinition { Type = ChannelTypes.Sinch }), Is.EqualTo("https://us.sms.api.sinch.com"));
        Assert.That(ChannelUrls.SinchBaseUrl(eu), Is.EqualTo("https://eu.sms.api.sinch.com"));
        Assert.That(ChannelUrls.SinchBaseUrl(eu with { BaseUrl = "https://sms.example.com/proxy" }), Is.EqualTo("https://sms.example.com/proxy"));
        Assert.That(ISinchApi.BatchesUrl(new Uri("https://sms.example.com/proxy/"), "plan 1").AbsoluteUri,
            Is.EqualTo("https://sms.example.com/proxy/xms/v1/plan%201/batches"));
    }

    [TestCase(400, FailureKind.Permanent)]
    [TestCase(401, FailureKind.Permanent)]
    [TestCase(403, FailureKind.Permanent)]
    [TestCase(500, FailureKind.Transient)]
    [TestCase(503, FailureKind.Transient)]
    public async Task Sinch_answers_are_classified(int status, FailureKind expected)
    {
        Stub(status, """{"code":"syntax_invalid_parameter_format","text":"bad to"}""");
        var result = await _delivery.DeliverAsync(Sinch(), For(SampleRequests.Lead()), default);
        Assert.That(result.Failure, Is.EqualTo(expected));
        Assert.That(result.StatusCode, Is.EqualTo(status));
    }

    [Test]
    public async Task A_429_from_Sinch_is_transient_with_its_retry_after()
    {
        Stub(429, """{"code":"too_many_requests"}""", retryAfter: "3");
        var result = await _delivery.DeliverAsync(Sinch(), For(SampleRequests.Lead()), default);
        Assert.That(result.Failure, Is.EqualTo(FailureKind.Transient));
        Assert.That(result.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(3)));
    }

    [Test]
    public async Task The_api_token_never_reaches_the_logs_or_the_result()
    {
        Stub(401, """{"code":"unauthorized"}""");
        var result = await _delivery.DeliverAsync(Sinch(), For(SampleRequests.Lead()), default);
        Assert.That(_wire.LogEntries, Has.Count.EqualTo(1), "the request was sent");
        Assert.That(_logs.All, Is.Not.Empty, "the delivery logged");
        Assert.That(_logs.All, Does.Not.Contain(Token));
        Assert.That(result.Error ?? "", Does.Not.Contain(Token));
        Assert.That(result.ResponseBody ?? "", Does.Not.Contain(Token));
    }

    [Test]
    public async Task A_missing_token_secret_is_permanent_and_sends_nothing()
    {
        var action = Action("lead-scoring.json", Sinch().Channel with { ApiTokenSecret = "not-configured" });
        var result = await _delivery.DeliverAsync(action, For(SampleRequests.Lead()), default);
        Assert.That(result.Failure, Is.EqualTo(FailureKind.Permanent));
        Assert.That(result.Error, Does.Contain("not-configured"));
        Assert.That(_wire.LogEntries, Is.Empty);
    }
}
