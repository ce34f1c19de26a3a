using System.Diagnostics;
using ExternalAction.Actions;
using ExternalAction.Processor.Callbacks;
using ExternalAction.Processor.Tests.Callbacks;
using ExternalAction.Processor.Delivery;
using ExternalAction.Processor.Outbound;
using ExternalAction.ServiceDefaults.Observability;
using ExternalAction.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Trace;
using WireMock.Server;
using static ExternalAction.Processor.Tests.TestMessages;
using Request = WireMock.RequestBuilders.Request;
using Response = WireMock.ResponseBuilders.Response;

namespace ExternalAction.Processor.Tests.Outbound;

/// <summary>
/// What the Processor's outbound requests tell others, with the hosts' real service defaults (OpenTelemetry on, an
/// in-memory exporter standing in for OTLP): finding 7 (no path or query of an outbound URL in a span) and finding 17
/// (no trace context or baggage to a host unless listed), and the outbound guards still in place under those defaults.
/// </summary>
public sealed class OutboundTelemetryTests
{
    private static readonly ActivitySource Journey = new("ExternalAction.Tests.Journey");
    private static readonly string[] TraceHeaders = ["traceparent", "tracestate", "baggage", "Correlation-Context", "Request-Id"];
    private readonly List<Activity> _spans = [];
    private WireMockServer _wire = null!;
    private IHost? _host;

    [SetUp]
    public void Start()
    {
        _spans.Clear();
        _wire = WireMockServer.Start();
    }

    [TearDown]
    public void Stop()
    {
        _host?.Dispose();
        _wire.Stop();
        _wire.Dispose();
    }

    private string Base => $"http://127.0.0.1:{_wire.Port}";

    private void StartHost(Action<Dictionary<string, string?>>? change = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ExternalAction:Outbound:AllowedNetworks:0"] = "127.0.0.0/8",
            ["Secrets:slack-url"] = $"{Base}/services/T0SECRET/B0SECRET/XXXXSECRET",
        };
        change?.Invoke(settings);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddServiceDefaults();
        builder.Services.ConfigureOpenTelemetryTracerProvider(t => t.AddSource(Journey.Name).AddInMemoryExporter(_spans));
        builder.Services.AddLogging().AddChannelDelivery().AddCallbacks();
        _host = builder.Build();
        _ = _host.Services.GetRequiredService<TracerProvider>();
    }

    private Task<OutboundResult> Deliver(ChannelDefinition channel) =>
        _host!.Services.GetRequiredService<ChannelDelivery>().DeliverAsync(Action("lead-scoring.json", channel), For(SampleRequests.Lead()), default);

    private Task<OutboundResult> Callback(string url) =>
        _host!.Services.GetRequiredService<CallbackClient>().SendSuccessAsync(SampleRequests.Lead("callback-token-1", url), "req-tel");

    private static ChannelDefinition Webhook(string url) => new() { Type = ChannelTypes.Webhook, Url = url, TimeoutSeconds = 5 };

    private List<Activity> HttpSpans => [.. _spans.Where(s => s.Kind == ActivityKind.Client && s.GetTagItem("server.address") is not null)];

    private static IEnumerable<string> Texts(Activity span) =>
        span.TagObjects.Select(t => $"{t.Key}={t.Value}").Append(span.DisplayName).Append(span.OperationName);

    // Finding 7 -----------------------------------------------------------------------------------------------------

    [Test]
    public async Task A_slack_webhook_url_is_in_no_span_only_its_scheme_host_and_port()
    {
        StartHost();
        _wire.Given(Request.Create().WithPath("/services/T0SECRET/B0SECRET/XXXXSECRET")).RespondWith(Response.Create().WithStatusCode(200).WithBody("ok"));

        var result = await Deliver(new ChannelDefinition { Type = ChannelTypes.Slack, UrlSecret = "slack-url", Text = "hi", TimeoutSeconds = 5 });

        Assert.That(result.Succeeded, Is.True, result.Error);
        var span = HttpSpans.Single();
        Assert.Multiple(() =>
        {
            Assert.That(span.GetTagItem("url.full"), Is.EqualTo($"{Base}/REDACTED"));
            Assert.That(Texts(span), Has.None.Contains("SECRET"));
        });
    }

    [TestCase(200)]
    [TestCase(500)]
    public async Task A_templated_url_with_personal_data_is_redacted_whatever_the_answer(int status)
    {
        StartHost();
        _wire.Given(Request.Create().UsingAnyMethod()).RespondWith(Response.Create().WithStatusCode(status));

        await Deliver(Webhook($"{Base}/people/{{{{ lead.email }}}}?email={{{{ lead.email }}}}"));

        var span = HttpSpans.Single();
        Assert.Multiple(() =>
        {
            Assert.That(span.GetTagItem("url.full"), Is.EqualTo($"{Base}/REDACTED"));
            Assert.That(Texts(span), Has.None.Contains("jane").And.None.Contains("people").And.None.Contains("email"));
            Assert.That(span.GetTagItem("url.path"), Is.Null);
            Assert.That(span.GetTagItem("url.query"), Is.Null);
        });
    }

    [Test]
    public async Task A_failed_connection_leaves_no_path_in_its_span_either()
    {
        StartHost();

        var result = await Callback("http://127.0.0.1:1/callbacks/secret-callback-path?sig=abc");

        Assert.That(result.Failure, Is.EqualTo(FailureKind.Transient));
        var span = HttpSpans.Single();
        Assert.Multiple(() =>
        {
            Assert.That(span.GetTagItem("url.full"), Is.EqualTo("http://127.0.0.1:1/REDACTED"));
            Assert.That(Texts(span), Has.None.Contains("secret-callback-path").And.None.Contains("sig"));
        });
    }

    // Finding 17 ----------------------------------------------------------------------------------------------------

    private async Task<WireMock.Logging.ILogEntry> SendInsideAJourneyActivity()
    {
        _wire.Given(Request.Create().WithPath("/callback")).RespondWith(Response.Create().WithStatusCode(200));
        using (var activity = Journey.StartActivity("consume ProcessAction", ActivityKind.Consumer))
        {
            Assert.That(activity, Is.Not.Null, "the journey's activity must be sampled for the test to mean anything");
            activity!.TraceStateString = "mt=internal";
            activity.AddBaggage("MT-ConversationId", "conversation-internal");
            Baggage.SetBaggage("MT-Host-MachineName", "processor-internal");
            var result = await Callback($"{Base}/callback");
            Assert.That(result.Succeeded, Is.True, result.Error);
            Baggage.ClearBaggage();
        }
        return _wire.LogEntries.Single();
    }

    private static IEnumerable<string> Headers(WireMock.Logging.ILogEntry entry) => entry.RequestMessage.Headers!.Keys;

    [Test]
    public async Task A_callback_sent_inside_a_traced_consumer_carries_no_trace_context_or_baggage()
    {
        StartHost();
        var entry = await SendInsideAJourneyActivity();
        Assert.That(Headers(entry), Has.None.Matches<string>(h => TraceHeaders.Contains(h, StringComparer.OrdinalIgnoreCase)),
            string.Join(", ", Headers(entry)));
        Assert.That(HttpSpans, Has.Count.EqualTo(1), "the span itself is still recorded");
    }

    [Test]
    public async Task A_listed_host_gets_the_trace_context_and_baggage()
    {
        StartHost(s => s["ExternalAction:Outbound:PropagateTraceContextTo:0"] = "127.0.0.1");
        var entry = await SendInsideAJourneyActivity();
        var headers = entry.RequestMessage.Headers!;
        Assert.Multiple(() =>
        {
            Assert.That(headers.Keys, Has.Some.Matches<string>(h => h.Equals("traceparent", StringComparison.OrdinalIgnoreCase)));
            Assert.That(headers.Keys, Has.Some.Matches<string>(h => h.Equals("baggage", StringComparison.OrdinalIgnoreCase)));
            Assert.That(headers.First(h => h.Key.Equals("traceparent", StringComparison.OrdinalIgnoreCase)).Value.Single(),
                Does.Contain(HttpSpans.Single().TraceId.ToHexString()));
        });
    }

    [Test]
    public void A_propagation_entry_that_is_a_url_fails_at_start()
    {
        StartHost(s => s["ExternalAction:Outbound:PropagateTraceContextTo:0"] = "https://collector.example.com/");
        var failure = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            _ = _host!.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<TraceContextOptions>>().Value);
        Assert.That(failure!.Message, Does.Contain("PropagateTraceContextTo"));
    }

    // The guards of findings 4 and 5 under the hosts' defaults (which also configure every client's primary handler).

    [Test]
    public async Task The_service_defaults_keep_the_connect_time_address_check()
    {
        StartHost(s => s.Remove("ExternalAction:Outbound:AllowedNetworks:0"));
        _wire.Given(Request.Create().UsingAnyMethod()).RespondWith(Response.Create().WithStatusCode(200));

        var result = await Deliver(Webhook($"{Base}/hook"));

        Assert.That(result.Failure, Is.EqualTo(FailureKind.Permanent));
        Assert.That(result.Error, Does.Contain("blocked range (loopback)"));
        Assert.That(_wire.LogEntries, Is.Empty);
    }

    [Test]
    public async Task Any_other_client_of_the_hosts_does_not_follow_redirects()
    {
        StartHost();
        _wire.Given(Request.Create().WithPath("/moved")).RespondWith(Response.Create().WithStatusCode(302).WithHeader("Location", "/elsewhere"));
        _wire.Given(Request.Create().WithPath("/elsewhere")).RespondWith(Response.Create().WithStatusCode(200));

        using var response = await _host!.Services.GetRequiredService<IHttpClientFactory>().CreateClient("any").GetAsync(new Uri($"{Base}/moved"));

        Assert.That((int)response.StatusCode, Is.EqualTo(302));
        Assert.That(_wire.LogEntries, Has.Count.EqualTo(1));
    }
}
