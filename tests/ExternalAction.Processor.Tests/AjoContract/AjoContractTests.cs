using System.Text.Json.Nodes;
using ExternalAction.Actions;
using ExternalAction.Actions.Ajo;
using ExternalAction.Contracts.Messaging;
using ExternalAction.Processor.Adapters.Ajo;
using ExternalAction.Processor.Callbacks;
using ExternalAction.Processor.Outbound;
using ExternalAction.Processor.Processing;
using ExternalAction.ServiceDefaults.Secrets;
using ExternalAction.Store;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ExternalAction.Processor.Tests.AjoContract;

/// <summary>The AJO adapter's row and template model, and the pure decisions of its status-webhook reporter.</summary>
public sealed class AjoContractTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    private static ActionDefinition Action(bool webhook) => new()
    {
        Name = "dispatch",
        Channel = new ChannelDefinition { Type = ChannelTypes.Webhook, Url = "https://logistics.example.com/d" },
        Ajo = new AjoFace
        {
            Request = new JsonObject(),
            SecretFields = ["$.card.token", "pin"],
            StatusWebhook = webhook ? new AjoStatusWebhook { Url = "https://status.example.com/s", Secret = "hmac" } : null,
        },
    };

    private static ActionAccepted Message() => new()
    {
        RequestId = "ajo-1",
        ActionName = "dispatch",
        ActionVersion = "1",
        Contract = ContractNames.AjoCustomAction,
        Identity = new WorkIdentity { EntityType = "profile", ContactKey = "p-1", JourneyInstanceId = "jv-1", ActivityId = "s-1" },
        ReceivedAt = Now.AddSeconds(-5),
        Deadline = Now.AddHours(24),
        Data = JsonNode.Parse("""{"payload":{"orderId":"o-1","pin":"1234","card":{"token":"tok_secret","last4":"4242"}},"response":{"eta":"2d"}}""")!.AsObject(),
    };

    private static AjoStatusReporter Reporter()
    {
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().Build())
            .AddLogging()
            .AddOutboundHttp()
            .AddSingleton(Options.Create(new ExternalAction.ServiceDefaults.Messaging.MessagingOptions()))
            .BuildServiceProvider();
        return new AjoStatusReporter(services.GetRequiredService<IHttpClientFactory>(), services.GetRequiredService<OutboundPipelines>(),
            new SecretResolver(new ConfigurationBuilder().Build()), TimeProvider.System, Options.Create(new CallbackOptions()));
    }

    private static readonly OutboundResult Delivered = new() { Failure = FailureKind.None, StatusCode = 201, Duration = TimeSpan.FromMilliseconds(12) };
    private static readonly OutboundResult RefusedForGood = new() { Failure = FailureKind.Permanent, StatusCode = 422, Error = "HTTP 422" };

    [Test]
    public void The_row_masks_the_declared_secret_fields_and_keeps_the_identity()
    {
        var catalog = new ActionCatalog([Action(webhook: false)]);

        var row = new AjoAdapter(catalog).Row(Message());

        var payload = JsonNode.Parse(row.RequestPayload!)!["payload"]!;
        Assert.Multiple(() =>
        {
            Assert.That(payload["pin"]!.GetValue<string>(), Is.EqualTo(AjoAdapter.Mask));
            Assert.That(payload["card"]!["token"]!.GetValue<string>(), Is.EqualTo(AjoAdapter.Mask));
            Assert.That(payload["card"]!["last4"]!.GetValue<string>(), Is.EqualTo("4242"));
            Assert.That(row.RequestPayload, Does.Not.Contain("tok_secret").And.Not.Contain("1234"));
            Assert.That(row.Contract, Is.EqualTo(ContractNames.AjoCustomAction));
            Assert.That(row.ContactKey, Is.EqualTo("p-1"));
            Assert.That(row.JourneyInstanceId, Is.EqualTo("jv-1"));
            Assert.That(row.ActivityId, Is.EqualTo("s-1"));
        });
    }

    [Test]
    public void A_row_for_an_action_without_an_ajo_face_keeps_no_payload() =>
        Assert.That(new AjoAdapter(new ActionCatalog([])).Row(Message()).RequestPayload, Does.Not.Contain("orderId"));

    [Test]
    public void The_template_model_exposes_payload_response_and_identity()
    {
        var model = new AjoAdapter(new ActionCatalog([])).TemplateModel(Message(), Action(false));

        Assert.Multiple(() =>
        {
            Assert.That(model["payload"]!["orderId"]!.GetValue<string>(), Is.EqualTo("o-1"));
            Assert.That(model["response"]!["eta"]!.GetValue<string>(), Is.EqualTo("2d"));
            Assert.That(model["identity"]!["profile"]!.GetValue<string>(), Is.EqualTo("p-1"));
            Assert.That(model["requestId"]!.GetValue<string>(), Is.EqualTo("ajo-1"));
        });
    }

    [Test]
    public void Without_a_webhook_a_delivery_completes()
    {
        var step = Reporter().AfterDelivery(Action(false), Message(), Delivered, 1, Now);

        Assert.That(step, Is.TypeOf<Step.Done>());
        var update = ((Step.Done)step).Update;
        Assert.Multiple(() =>
        {
            Assert.That(update.Status, Is.EqualTo(RequestStatuses.Completed));
            Assert.That(update.DeliveryStatusCode, Is.EqualTo(201));
            Assert.That(update.DeliveredAt, Is.EqualTo(Now));
        });
    }

    [Test]
    public void Without_a_webhook_a_refused_delivery_fails()
    {
        var step = Reporter().AfterDelivery(Action(false), Message(), RefusedForGood, 1, Now);

        Assert.That(step, Is.TypeOf<Step.End>());
        Assert.Multiple(() =>
        {
            Assert.That(((Step.End)step).Status, Is.EqualTo(RequestStatuses.Failed));
            Assert.That(((Step.End)step).Reason, Does.Contain("HTTP 422"));
        });
    }

    [TestCase(false, "Completed")]
    [TestCase(true, "Failed")]
    public void With_a_webhook_the_outcome_is_reported_without_payload_or_secrets(bool refused, string status)
    {
        var step = Reporter().AfterDelivery(Action(true), Message(), refused ? RefusedForGood : Delivered, 1, Now);

        Assert.That(step, Is.TypeOf<Step.Report>());
        var report = (Step.Report)step;
        var body = JsonNode.Parse(report.Body)!;
        Assert.Multiple(() =>
        {
            Assert.That(body["status"]!.GetValue<string>(), Is.EqualTo(status));
            Assert.That(body["requestId"]!.GetValue<string>(), Is.EqualTo("ajo-1"));
            Assert.That(body["identity"]!["journeyVersion"]!.GetValue<string>(), Is.EqualTo("jv-1"));
            Assert.That(body["channel"]!["statusCode"]!.GetValue<int>(), Is.EqualTo(refused ? 422 : 201));
            Assert.That(report.Body, Does.Not.Contain("tok_secret").And.Not.Contain("\"o-1\""));
            Assert.That(report.Update.CallbackBody, Is.EqualTo(report.Body));
            Assert.That(report.Update.Outcome, Is.EqualTo(refused ? "Refused" : "Succeeded"));
        });
    }

    [TestCase("suppressed", "Suppressed")]
    [TestCase("capped", "Capped")]
    public void A_delivery_the_rules_withheld_is_reported_to_the_webhook_as_what_it_is(string verdict, string status)
    {
        var withheld = new OutboundResult { Failure = FailureKind.None, Verdict = verdict, Error = "suppression rule 'unsubscribed' matched" };
        var body = JsonNode.Parse(((Step.Report)Reporter().AfterDelivery(Action(true), Message(), withheld, 1, Now)).Body)!;
        Assert.That(body["status"]!.GetValue<string>(), Is.EqualTo(status));
        Assert.That(body["reason"]!.GetValue<string>(), Does.Contain("unsubscribed"));
        Assert.That(body["deliveredAt"], Is.Null, "nothing was delivered");
    }

    private static RequestRecord Record(string outcome) => new()
    {
        RequestId = "ajo-1", ActionName = "dispatch", ActionVersion = "1", EntityType = "profile", Status = RequestStatuses.Processing,
        Outcome = outcome, LastError = outcome == "Refused" ? "delivery refused for good: HTTP 422" : null,
        ReceivedAt = Now, DeadlineAt = Now.AddHours(1),
    };

    [TestCase("Succeeded", 200, typeof(Step.Done), "Completed")]
    [TestCase("Refused", 200, typeof(Step.End), "Failed")]
    [TestCase("Succeeded", 500, typeof(Step.Retry), "RetryScheduled")]
    [TestCase("Succeeded", 404, typeof(Step.End), "Failed")]
    public void The_webhooks_answer_decides_the_final_status(string outcome, int code, Type expected, string status)
    {
        var failure = code switch { 200 => FailureKind.None, 500 => FailureKind.Transient, _ => FailureKind.Permanent };

        var step = Reporter().AfterReport(Action(true), Record(outcome), new OutboundResult { Failure = failure, StatusCode = code, Error = $"HTTP {code}" }, 2);

        Assert.That(step, Is.TypeOf(expected));
        var (actual, update) = step switch
        {
            Step.Done d => (d.Update.Status, d.Update),
            Step.End e => (e.Status, e.Update!),
            Step.Retry r => (r.Update.Status, r.Update),
            _ => throw new AssertionException("unexpected step"),
        };
        Assert.Multiple(() =>
        {
            Assert.That(actual, Is.EqualTo(status));
            Assert.That(update.CallbackStatusCode, Is.EqualTo(code));
            if (step is Step.End end)
                Assert.That(end.Reported, Is.True, "the webhook answered about this request: its ending is not reported again");
        });
    }

    [TestCase(RequestStatuses.TimedOut, "the deadline passed before processing")]
    [TestCase(RequestStatuses.Failed, "the delivery rules could not be applied to this request's data")]
    public void An_ending_without_a_report_of_its_own_is_reported_to_the_webhook(string status, string reason)
    {
        var record = Record("Succeeded") with { DeliveryStatusCode = 503, DeliveredAt = null };

        var body = Reporter().EndingReport(Action(true), Message(), record, new Step.End(status, reason), Now);

        Assert.That(body, Is.Not.Null);
        var outcome = JsonNode.Parse(body!)!;
        Assert.Multiple(() =>
        {
            Assert.That(outcome["status"]!.GetValue<string>(), Is.EqualTo(status));
            Assert.That(outcome["reason"]!.GetValue<string>(), Is.EqualTo(reason));
            Assert.That(outcome["requestId"]!.GetValue<string>(), Is.EqualTo("ajo-1"));
            Assert.That(outcome["channel"]!["statusCode"]!.GetValue<int>(), Is.EqualTo(503), "the last answer the channel gave");
            Assert.That(outcome["deliveredAt"], Is.Null);
            Assert.That(outcome["identity"]!["profile"]!.GetValue<string>(), Is.EqualTo("p-1"));
            Assert.That(body, Does.Not.Contain("tok_secret").And.Not.Contain("1234"));
        });
    }

    [Test]
    public void An_ending_is_not_reported_without_a_webhook_or_when_the_webhook_already_answered()
    {
        var end = new Step.End(RequestStatuses.TimedOut, "the deadline passed before processing");
        Assert.Multiple(() =>
        {
            Assert.That(Reporter().EndingReport(Action(false), Message(), Record("Succeeded"), end, Now), Is.Null);
            Assert.That(Reporter().EndingReport(Action(true), Message(), Record("Succeeded"), end with { Reported = true }, Now), Is.Null);
        });
    }
}
