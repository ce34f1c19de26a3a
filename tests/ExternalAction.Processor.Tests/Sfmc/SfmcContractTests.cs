using System.Text.Json.Nodes;
using ExternalAction.Actions;
using ExternalAction.Actions.Sfmc;
using ExternalAction.Contracts.Messaging;
using ExternalAction.Processor.Adapters.Sfmc;
using ExternalAction.Processor.Delivery;
using ExternalAction.Processor.Outbound;
using ExternalAction.Processor.Processing;
using ExternalAction.Store;
using ExternalAction.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace ExternalAction.Processor.Tests.Sfmc;

/// <summary>
/// The SFMC adapter (row, template model), the reporter's decisions, the Marketing Cloud client (token cached, refreshed
/// once on 401) against WireMock, and a channel URL taken from an in-argument only to the hosts the action names.
/// </summary>
public sealed class SfmcContractTests
{
    private const string ClientSecret = "mc-client-secret-0123456789";
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
            ["Secrets:mc-secret"] = ClientSecret,
            ["ExternalAction:Outbound:AllowedNetworks:0"] = "127.0.0.0/8",
            ["ExternalAction:Outbound:PerHostConcurrencyShare"] = "1",
        }).Build();
        _services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddLogging(l => l.AddProvider(_logs).SetMinimumLevel(LogLevel.Trace))
            .AddSingleton(new ActionCatalog([Action()]))
            .AddChannelDelivery()
            .AddSfmcContract()
            .BuildServiceProvider();
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

    private SfmcWriteBack WriteBack() => new()
    {
        Subdomain = "mc-test", ClientId = "client-1", ClientSecretSecret = "mc-secret", DataExtensionKey = "Log",
        AuthBaseUrl = _wire.Url + "/auth/", RestBaseUrl = _wire.Url + "/rest/",
        Fields = new() { ["ContactKey"] = "{{ contactKey }}", ["Status"] = "{{ outcome.status }}", ["Tier"] = "{{ inArguments.tier }}" },
    };

    private static ActionDefinition Action(SfmcWriteBack? writeBack = null, ChannelDefinition? channel = null) => new()
    {
        Name = "sfmc-test",
        ServesB2B = false,
        Channel = channel ?? new ChannelDefinition { Type = ChannelTypes.None },
        Sfmc = new SfmcActivity
        {
            InArguments =
            [
                new SfmcInArgument { Name = "contactKey", Binding = "{{Contact.Key}}" },
                new SfmcInArgument { Name = "tier", Binding = "{{Contact.Attribute.C.Tier}}" },
                new SfmcInArgument { Name = "webhookUrl", Configurable = true, Secret = true },
            ],
            WriteBack = writeBack,
        },
    };

    private static ActionAccepted Message(string webhookUrl = "https://hooks.slack.com/services/T/B/secret-part") => new()
    {
        RequestId = "sfmc-0123",
        ActionName = "sfmc-test",
        ActionVersion = "1",
        Contract = ContractNames.Sfmc,
        Identity = new WorkIdentity { EntityType = "contact", ContactKey = "c-1", JourneyId = "j-1", JourneyInstanceId = "v-1", ActivityId = "a-1" },
        Data = new JsonObject
        {
            ["inArguments"] = new JsonObject { ["contactKey"] = "c-1", ["tier"] = "gold", ["webhookUrl"] = webhookUrl },
            ["keyValue"] = "c-1", ["activityId"] = "a-1", ["definitionInstanceId"] = "v-1", ["journeyId"] = "j-1", ["activityInstanceId"] = "ai-1",
            ["branchResult"] = "vip",
        },
        ReceivedAt = DateTimeOffset.UnixEpoch,
        Deadline = DateTimeOffset.UnixEpoch.AddHours(1),
    };

    private static readonly OutboundResult Delivered = new() { Failure = FailureKind.None, StatusCode = 200 };

    [Test]
    public void The_row_carries_the_sfmc_identity_and_masks_secret_in_arguments()
    {
        var row = _services.GetServices<Engine.IContractAdapter>().OfType<SfmcAdapter>().Single().Row(Message());
        Assert.That((row.Contract, row.EntityType, row.ContactKey, row.JourneyId, row.JourneyInstanceId, row.ActivityId),
            Is.EqualTo(("sfmc", "contact", "c-1", "j-1", "v-1", "a-1")));
        Assert.That(row.RequestPayload, Does.Not.Contain("secret-part").And.Contain("\"webhookUrl\":\"***\"").And.Contain("\"tier\":\"gold\""));
    }

    [Test]
    public void Templates_read_the_in_arguments_and_the_ids()
    {
        var model = SfmcAdapter.Model(Message(), Action());
        var text = _services.GetRequiredService<ExternalAction.Processor.Templating.TemplateRenderer>()
            .RenderText("{{ inArguments.tier }} {{ contactKey }} {{ definitionInstanceId }} {{ activityId }} {{ branchResult }} {{ action.name }}", model);
        Assert.That(text, Is.EqualTo("gold c-1 v-1 a-1 vip sfmc-test"));
    }

    [Test]
    public void Without_a_write_back_a_delivery_is_Completed_at_once_and_a_refusal_Failed()
    {
        var reporter = _services.GetServices<Engine.IOutcomeReporter>().OfType<SfmcReporter>().Single();
        var done = reporter.AfterDelivery(Action(), Message(), Delivered, 1, DateTimeOffset.UnixEpoch);
        Assert.That(done, Is.TypeOf<Step.Done>());
        Assert.That((((Step.Done)done).Update.Status, ((Step.Done)done).Update.SelectedPathId), Is.EqualTo((RequestStatuses.Completed, "vip")));

        var refused = reporter.AfterDelivery(Action(), Message(), new OutboundResult { Failure = FailureKind.Permanent, StatusCode = 404, Error = "HTTP 404" }, 1, DateTimeOffset.UnixEpoch);
        Assert.That(refused, Is.TypeOf<Step.End>());
        Assert.That(((Step.End)refused).Status, Is.EqualTo(RequestStatuses.Failed));
        Assert.That(reporter.AfterDelivery(Action(), Message(), new OutboundResult { Failure = FailureKind.Transient }, 1, DateTimeOffset.UnixEpoch), Is.TypeOf<Step.Retry>());
    }

    [Test]
    public void With_a_write_back_the_delivery_reports_a_row_and_the_answer_decides()
    {
        var reporter = _services.GetServices<Engine.IOutcomeReporter>().OfType<SfmcReporter>().Single();
        var action = Action(WriteBack());
        var report = (Step.Report)reporter.AfterDelivery(action, Message(), Delivered, 1, DateTimeOffset.UnixEpoch);
        Assert.That(report.Body, Is.EqualTo("""{"items":[{"ContactKey":"c-1","Status":"delivered","Tier":"gold"}]}"""));
        Assert.That(report.Update.Status, Is.EqualTo(RequestStatuses.Processing));
        var record = new RequestRecord { RequestId = "sfmc-0123", ActionName = "sfmc-test", ActionVersion = "1", EntityType = "contact", Status = "Processing" };
        Assert.That(reporter.AfterReport(action, record, new OutboundResult { Failure = FailureKind.None, StatusCode = 202 }, 1), Is.TypeOf<Step.Done>());
        Assert.That(reporter.AfterReport(action, record, new OutboundResult { Failure = FailureKind.Transient, StatusCode = 500 }, 1), Is.TypeOf<Step.Retry>());
        Assert.That(((Step.End)reporter.AfterReport(action, record, new OutboundResult { Failure = FailureKind.Permanent, StatusCode = 400 }, 1)).Status, Is.EqualTo(RequestStatuses.Failed));
    }

    [Test]
    public async Task The_token_is_cached_refreshed_once_on_401_and_a_second_401_is_final()
    {
        _wire.Given(Request.Create().WithPath("/auth/v2/token").UsingPost()).InScenario("tokens").WillSetStateTo("second")
            .RespondWith(Response.Create().WithStatusCode(200).WithBodyAsJson(new { access_token = "token-1", expires_in = 1080 }));
        _wire.Given(Request.Create().WithPath("/auth/v2/token").UsingPost()).InScenario("tokens").WhenStateIs("second")
            .RespondWith(Response.Create().WithStatusCode(200).WithBodyAsJson(new { access_token = "token-2", expires_in = 1080 }));
        _wire.Given(Request.Create().WithPath("/rest/data/v1/async/dataextensions/key:Log/rows").WithHeader("Authorization", "Bearer token-1").UsingPost())
            .InScenario("rows").WillSetStateTo("expired").RespondWith(Response.Create().WithStatusCode(202).WithBody("{}"));
        _wire.Given(Request.Create().WithPath("/rest/data/v1/async/dataextensions/key:Log/rows").WithHeader("Authorization", "Bearer token-1").UsingPost())
            .InScenario("rows").WhenStateIs("expired").RespondWith(Response.Create().WithStatusCode(401));
        _wire.Given(Request.Create().WithPath("/rest/data/v1/async/dataextensions/key:Log/rows").WithHeader("Authorization", "Bearer token-2").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(202).WithBody("{}"));
        var client = _services.GetRequiredService<MarketingCloudClient>();
        var rows = new JsonObject { ["items"] = new JsonArray(new JsonObject { ["ContactKey"] = "c-1" }) };

        var first = await client.UpsertAsync(WriteBack(), rows, CancellationToken.None);
        var second = await client.UpsertAsync(WriteBack(), rows, CancellationToken.None);
        Assert.That((first.Failure, first.StatusCode, second.Failure, second.StatusCode), Is.EqualTo((FailureKind.None, 202, FailureKind.None, 202)));
        Assert.That(_wire.LogEntries.Count(e => e.RequestMessage.Path == "/auth/v2/token"), Is.EqualTo(2), "one token, then one refresh after the 401");
        var tokenRequest = JsonNode.Parse(_wire.LogEntries.First(e => e.RequestMessage.Path == "/auth/v2/token").RequestMessage.Body!)!;
        Assert.That((tokenRequest["grant_type"]!.GetValue<string>(), tokenRequest["client_id"]!.GetValue<string>(), tokenRequest["client_secret"]!.GetValue<string>()),
            Is.EqualTo(("client_credentials", "client-1", ClientSecret)));
        Assert.That(_logs.All, Does.Not.Contain(ClientSecret).And.Not.Contain("token-1"));
    }

    [Test]
    public async Task A_second_401_after_a_fresh_token_is_permanent()
    {
        _wire.Given(Request.Create().WithPath("/auth/v2/token").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200).WithBodyAsJson(new { access_token = "token-x", expires_in = 1080 }));
        _wire.Given(Request.Create().WithPath("/rest/data/v1/async/dataextensions/key:Log/rows").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(401));
        var result = await _services.GetRequiredService<MarketingCloudClient>().UpsertAsync(WriteBack(), new JsonObject { ["items"] = new JsonArray() }, CancellationToken.None);
        Assert.That(result.Failure, Is.EqualTo(FailureKind.Permanent));
        Assert.That(result.Error, Does.Contain("HTTP 401 again"));
    }

    [TestCase("https://evil.example.com/services/x", "names a host that is not one of hooks.slack.com")]
    [TestCase("http://hooks.slack.com/services/x", "is not an absolute https URL")]
    [TestCase("https://hooks.slack.com:8443/services/x", "must use the https port")]
    public async Task A_webhook_url_from_an_in_argument_goes_only_to_the_actions_hosts(string url, string problem)
    {
        var action = Action(channel: new ChannelDefinition
        {
            Type = ChannelTypes.Slack, UrlFrom = "inArguments.webhookUrl", AllowedHosts = ["hooks.slack.com"], Text = "{{ inArguments.tier }}",
        });
        var message = Message(url);
        var result = await _services.GetRequiredService<ChannelDelivery>().DeliverAsync(action, message, () => SfmcAdapter.Model(message, action), CancellationToken.None);
        Assert.That(result.Failure, Is.EqualTo(FailureKind.Permanent));
        Assert.That(result.Error, Does.Contain(problem).And.Not.Contain("evil.example.com/services"));
    }
}
