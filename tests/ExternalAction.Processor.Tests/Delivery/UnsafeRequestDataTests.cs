using System.Text.Json.Nodes;
using ExternalAction.Actions;
using ExternalAction.Processor.Delivery;
using ExternalAction.Processor.Outbound;
using ExternalAction.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using WireMock.Server;
using static ExternalAction.Processor.Tests.TestMessages;
using Request = WireMock.RequestBuilders.Request;
using Response = WireMock.ResponseBuilders.Response;

namespace ExternalAction.Processor.Tests.Delivery;

/// <summary>
/// Request data that would break the channel request (issue 8 findings 2, 8, 12): a header value with CR/LF, NUL or
/// non-ASCII, a URL value that would add path segments, a number a template cannot hold, data the model cannot be
/// built from. Each is a permanent failure with a reason that names what failed and never the value; nothing (and
/// certainly no smuggled second request carrying the channel's secret) reaches the channel host.
/// </summary>
public sealed class UnsafeRequestDataTests
{
    private const string Secret = "hook-secret-value";
    private WireMockServer _wire = null!;
    private ServiceProvider _services = null!;
    private ChannelDelivery _delivery = null!;

    [SetUp]
    public void Start()
    {
        _wire = WireMockServer.Start();
        _wire.Given(Request.Create().UsingAnyMethod()).RespondWith(Response.Create().WithStatusCode(200).WithBody("""{"ok":true}"""));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Secrets:hook-token"] = Secret,
            // WireMock listens on loopback, which outbound clients refuse unless allowed.
            ["ExternalAction:Outbound:AllowedNetworks:0"] = "127.0.0.0/8",
        }).Build();
        _services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddLogging()
            .AddChannelDelivery()
            .BuildServiceProvider();
        _delivery = _services.GetRequiredService<ChannelDelivery>();
    }

    [TearDown]
    public void Stop()
    {
        _services.Dispose();
        _wire.Stop();
        _wire.Dispose();
    }

    private ActionDefinition Webhook(string path = "/hook/{{ lead.email }}") =>
        Action("lead-scoring.json", new ChannelDefinition
        {
            Type = ChannelTypes.Webhook,
            Url = _wire.Url + path,
            Headers = new() { ["X-Journey"] = "{{ journey.name }}" },
            Body = JsonNode.Parse("""{ "email": "{{ lead.email }}", "note": "Hi {{ lead.firstName }}" }"""),
            Auth = new ChannelAuth { Type = ChannelAuthTypes.Bearer, Secret = "hook-token" },
            TimeoutSeconds = 5,
        });

    private static JsonObject Lead(string journeyName = "Welcome series", JsonNode? firstName = null, string email = "jane@example.com")
    {
        var request = SampleRequests.Lead();
        request["context"]!["journey"]!["name"] = journeyName;
        request["objectData"]!["objectContext"]!["leadData"]!["email"] = email;
        if (firstName is not null)
            request["objectData"]!["objectContext"]!["leadData"]!["firstName"] = firstName;
        return request;
    }

    [TestCase("Q4\r\nX-Smuggled: yes\r\n\r\nPOST /steal HTTP/1.1\r\nHost: x", "line break", TestName = "A_header_value_with_CRLF_is_refused_for_good")]
    [TestCase("Q4\nPOST /steal HTTP/1.1", "line break", TestName = "A_header_value_with_a_bare_LF_is_refused_for_good")]
    [TestCase("Q4\rX", "line break", TestName = "A_header_value_with_a_bare_CR_is_refused_for_good")]
    [TestCase("Q4\0X", "control character", TestName = "A_header_value_with_NUL_is_refused_for_good")]
    [TestCase("Q4\u001bX", "control character", TestName = "A_header_value_with_ESC_is_refused_for_good")]
    [TestCase("Q4 Übersicht", "non-ASCII", TestName = "A_header_value_with_non_ASCII_is_refused_for_good_not_retried")]
    public async Task Unsafe_header_values_are_permanent_failures_and_nothing_is_sent(string journeyName, string problem)
    {
        var result = await _delivery.DeliverAsync(Webhook(), For(Lead(journeyName)), CancellationToken.None);

        Assert.That(result.Failure, Is.EqualTo(FailureKind.Permanent));
        Assert.That(result.Error, Does.Contain("X-Journey").And.Contain(problem));
        Assert.That(result.Error, Does.Not.Contain("Q4"), "the reason never quotes the value");
        Assert.That(_wire.LogEntries, Is.Empty, "nothing reaches the channel host, so no smuggled request carries the secret");
    }

    [Test]
    public async Task A_printable_ascii_header_value_is_sent()
    {
        var result = await _delivery.DeliverAsync(Webhook(), For(Lead("Q4 launch: EMEA/APAC (v2)")), CancellationToken.None);

        Assert.That(result.Failure, Is.EqualTo(FailureKind.None), result.Error);
        var sent = _wire.LogEntries.Single().RequestMessage;
        Assert.That(sent.Headers!["X-Journey"].Single(), Is.EqualTo("Q4 launch: EMEA/APAC (v2)"));
        Assert.That(sent.Headers!["Authorization"].Single(), Is.EqualTo($"Bearer {Secret}"));
    }

    [Test]
    public async Task A_value_in_a_url_path_is_percent_encoded_and_cannot_add_segments_or_a_query()
    {
        var result = await _delivery.DeliverAsync(Webhook(), For(Lead(email: "../../admin/secret?x=1#")), CancellationToken.None);

        Assert.That(result.Failure, Is.EqualTo(FailureKind.None), result.Error);
        var sent = _wire.LogEntries.Single().RequestMessage;
        // WireMock shows the path decoded: the whole value arrived inside the /hook/ segment, as data.
        Assert.That(sent.AbsolutePath, Is.EqualTo("/hook/../../admin/secret?x=1#"), "not /admin/secret with a query");
        Assert.That(sent.RawQuery, Is.Null.Or.Empty, "no query was added");
    }

    [Test]
    public async Task A_value_in_a_url_query_is_percent_encoded_for_its_position()
    {
        var result = await _delivery.DeliverAsync(Webhook("/hook?email={{ lead.email }}&src=journey"), For(Lead(email: "jane+x@example.com&admin=1")), CancellationToken.None);

        Assert.That(result.Failure, Is.EqualTo(FailureKind.None), result.Error);
        var sent = _wire.LogEntries.Single().RequestMessage;
        Assert.That(sent.Query!["email"].Single(), Is.EqualTo("jane+x@example.com&admin=1"));
        Assert.That(sent.Query!.ContainsKey("admin"), Is.False, "the value could not add a parameter");
        Assert.That(sent.Query!["src"].Single(), Is.EqualTo("journey"));
    }

    [Test]
    public void A_rendered_url_carries_the_value_as_one_encoded_segment()
    {
        var renderer = new ExternalAction.Processor.Templating.TemplateRenderer();
        var model = new JsonObject { ["lead"] = new JsonObject { ["email"] = "../../admin/secret?x=1#" } };

        var url = renderer.RenderUrl("https://hooks.example.com/hook/{{ lead.email }}", model);

        Assert.That(url.AbsoluteUri, Is.EqualTo("https://hooks.example.com/hook/..%2F..%2Fadmin%2Fsecret%3Fx%3D1%23"));
    }

    [TestCase("..")]
    [TestCase(".")]
    public async Task A_url_value_that_is_a_dot_segment_is_refused_for_good(string value)
    {
        var result = await _delivery.DeliverAsync(Webhook("/api/{{ lead.email }}/send"), For(Lead(email: value)), CancellationToken.None);

        Assert.That(result.Failure, Is.EqualTo(FailureKind.Permanent));
        Assert.That(result.Error, Does.Contain("dot segment"));
        Assert.That(_wire.LogEntries, Is.Empty);
    }

    [Test]
    public async Task A_number_beyond_what_a_template_can_compute_with_renders_as_its_json_text()
    {
        var result = await _delivery.DeliverAsync(Webhook("/hook"), For(Lead(firstName: JsonNode.Parse("1e29"))), CancellationToken.None);

        Assert.That(result.Failure, Is.EqualTo(FailureKind.None), result.Error);
        var body = JsonNode.Parse(_wire.LogEntries.Single().RequestMessage.Body!)!;
        Assert.That(body["note"]!.GetValue<string>(), Is.EqualTo("Hi 1e29"));
    }

    [Test]
    public async Task Data_the_template_model_cannot_be_built_from_is_a_permanent_failure_not_an_exception()
    {
        // Intake refuses duplicate keys; a message that still carries them (an older Api) must not loop to the deadline.
        var message = For(Lead());
        var leadData = message.Request.ObjectData!.ObjectContext!.LeadData!;
        var duplicated = System.Text.Json.JsonSerializer.Deserialize<JsonObject>("""{"a":0,"a":1}""")!;
        var broken = message with
        {
            Request = message.Request with
            {
                ObjectData = message.Request.ObjectData with
                {
                    ObjectContext = message.Request.ObjectData.ObjectContext with { LeadData = duplicated },
                },
            },
        };
        Assert.That(leadData, Is.Not.Null);

        var result = await _delivery.DeliverAsync(Webhook("/hook"), broken, CancellationToken.None);

        Assert.That(result.Failure, Is.EqualTo(FailureKind.Permanent));
        Assert.That(result.Error, Does.Contain("could not be built"));
        Assert.That(_wire.LogEntries, Is.Empty);
    }
}
