using System.Text.Json.Nodes;
using ExternalAction.Actions;
using ExternalAction.Actions.Rules;
using ExternalAction.Contracts.Messaging;
using ExternalAction.Processor.Rules;
using ExternalAction.Processor.Templating;
using ExternalAction.Store;
using ExternalAction.Store.Rules;
using ExternalAction.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using static ExternalAction.Processor.Tests.TestMessages;

namespace ExternalAction.Processor.Tests.Rules;

/// <summary>The delivery rules in their order (route, suppression rules, send window, list, caps) over a real SQLite store.</summary>
[TestFixture]
public sealed class DeliveryGateTests
{
    private static readonly DateTimeOffset Noon = new(2026, 6, 10, 16, 0, 0, TimeSpan.Zero); // 12:00 in New York
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"gate-{Guid.NewGuid():N}.db");
    private ServiceProvider _services = null!;
    private DeliveryRulesStore _store = null!;
    private DeliveryGate _gate = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ExternalAction:Store:ConnectionString"] = $"Data Source={_file}" })
            .Build();
        _services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddStatusStore().BuildServiceProvider();
        await _services.GetRequiredService<StatusStore>().MigrateAsync(default);
        _store = _services.GetRequiredService<DeliveryRulesStore>();
        _gate = new DeliveryGate(_store, new TemplateRenderer());
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await _services.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
            File.Delete(_file + suffix);
    }

    private static ChannelDefinition Sms => new() { Type = ChannelTypes.Twilio, AccountSid = "AC1", AuthTokenSecret = "t", From = "+15550001111", To = "{{ lead.mobilePhone }}", Text = "hi" };
    private static ChannelDefinition Slack => new() { Type = ChannelTypes.Slack, UrlSecret = "slack", Text = "hi", Address = "#sales-{{ lead.region }}" };

    private static RuleCondition C(string field, string op, params string[] values) => new() { Field = field, Operator = op, Values = [.. values] };

    private static ActionDefinition Action(DeliveryRules rules, string name = "gate") =>
        TestMessages.Action("lead-scoring.json") with { Name = name, Rules = rules };

    private static DeliveryRules Routed(params FrequencyCap[] caps) => new()
    {
        Routes =
        [
            new RouteDefinition { Name = "sms", When = [C("lead.mobilePhone", "exists"), C("lead.smsConsent", "is", "true")], Channel = Sms },
            new RouteDefinition { Name = "slack", Channel = Slack },
        ],
        Caps = [.. caps],
    };

    private static ActionAccepted Lead(string leadId, JsonObject data, string requestId, DateTimeOffset? deadline = null)
    {
        var body = SampleRequests.Lead();
        body["objectData"]!["objectContext"]!["leadId"] = leadId;
        body["objectData"]!["objectContext"]!["leadData"] = data;
        return For(body, requestId) with { Deadline = deadline ?? Noon.AddHours(12) };
    }

    private Task<Verdict> Decide(ActionDefinition action, ActionAccepted message, DateTimeOffset? now = null) =>
        _gate.DecideAsync(action, message, TemplateModel.Create(message, action), now ?? Noon, default);

    private static string Unique() => Random.Shared.Next(100000, 999999).ToString(System.Globalization.CultureInfo.InvariantCulture);

    [Test]
    public async Task The_first_route_whose_conditions_hold_is_taken_else_the_default()
    {
        var action = Action(Routed());
        var sms = (Verdict.Deliver)await Decide(action, Lead(Unique(), new() { ["mobilePhone"] = "+14155550100", ["smsConsent"] = true }, "r-sms"));
        var slack = (Verdict.Deliver)await Decide(action, Lead(Unique(), new() { ["mobilePhone"] = "+14155550100", ["smsConsent"] = false, ["region"] = "emea" }, "r-slack"));

        Assert.That((sms.Route, sms.Routed.Channel.Type, sms.Routed.RouteName), Is.EqualTo(("sms", ChannelTypes.Twilio, "sms")));
        Assert.That((slack.Route, slack.Routed.Channel.Type), Is.EqualTo(("slack", ChannelTypes.Slack)));
        Assert.That(slack.Explanation, Does.Contain("default"));
    }

    [Test]
    public async Task No_matching_route_and_no_default_is_suppressed_with_the_reason()
    {
        var rules = new DeliveryRules { Routes = [new RouteDefinition { Name = "sms", When = [C("lead.mobilePhone", "exists")], Channel = Sms }] };
        var verdict = (Verdict.Withheld)await Decide(Action(rules), Lead(Unique(), new() { ["email"] = "x@example.com" }, "r-none"));
        Assert.That(verdict.Kind, Is.EqualTo(Verdict.Suppressed));
        Assert.That(verdict.Reason, Does.Contain("no route matched").And.Contain("lead.mobilePhone"));
    }

    [Test]
    public async Task A_suppression_rule_of_the_action_withholds_the_delivery()
    {
        var rules = Routed() with { Suppression = new SuppressionOptions { Rules = [new SuppressionRule { Name = "unsubscribed", When = [C("lead.unsubscribed", "is", "true")] }] } };
        var verdict = (Verdict.Withheld)await Decide(Action(rules), Lead(Unique(), new() { ["unsubscribed"] = true, ["region"] = "us" }, "r-unsub"));
        Assert.That((verdict.Kind, verdict.Route), Is.EqualTo((Verdict.Suppressed, "slack")));
        Assert.That(verdict.Reason, Does.Contain("'unsubscribed'"));
    }

    [Test]
    public async Task The_list_matches_the_route_s_address_in_its_normal_form_and_the_contact()
    {
        var number = $"415555{Random.Shared.Next(1000, 9999)}";
        await _store.AddAsync("sms", $"+1{number}", "replied STOP", "support@example.com", Noon, default);
        var typedOtherwise = $"({number[..3]}) {number[3..6]}-{number[6..]}";
        var byPhone = await Decide(Action(Routed()), Lead(Unique(), new() { ["mobilePhone"] = typedOtherwise, ["smsConsent"] = true }, "r-list"));
        Assert.That(byPhone, Is.TypeOf<Verdict.Withheld>());
        Assert.That(((Verdict.Withheld)byPhone).Reason, Does.Contain("sms address is on the suppression list").And.Contain("replied STOP"));

        var lead = Unique();
        await _store.AddAsync("contact", lead, null, "support@example.com", Noon, default);
        Assert.That(await Decide(Action(Routed()), Lead(lead, new() { ["region"] = "us" }, "r-contact")), Is.TypeOf<Verdict.Withheld>());

        var off = Action(Routed() with { Suppression = new SuppressionOptions { UseList = false } });
        Assert.That(await Decide(off, Lead(lead, new() { ["region"] = "us" }, "r-nolist")), Is.TypeOf<Verdict.Deliver>(), "useList false");
    }

    [Test]
    public async Task A_dry_run_that_does_not_read_the_store_delivers_a_listed_and_capped_contact_and_says_neither_was_read()
    {
        var action = Action(Routed(new FrequencyCap { Name = "daily", Max = 1, WindowHours = 24 }), $"noread-{Unique()}");
        var lead = Unique();
        await _store.AddAsync("contact", lead, null, "support@example.com", Noon, default);
        var data = new JsonObject { ["region"] = "us" };
        var read = new RuleTrace();
        Assert.That(await _gate.DecideAsync(action, Lead(lead, data.DeepClone().AsObject(), "listed"), TemplateModel.Create(Lead(lead, data.DeepClone().AsObject(), "listed"), action), Noon, default, read),
            Is.TypeOf<Verdict.Withheld>(), "read: the list holds the contact");

        var unread = new RuleTrace { ReadStore = false };
        var message = Lead(lead, data.DeepClone().AsObject(), "unread");
        Assert.That(await _gate.DecideAsync(action, message, TemplateModel.Create(message, action), Noon, default, unread), Is.TypeOf<Verdict.Deliver>());
        Assert.That(unread.Checks.Select(c => (c.Rule, c.Result)), Is.EqualTo(new[] { ("route", "chosen"), ("suppressionList", "notChecked"), ("cap", "notCounted") }));
        Assert.That(await _store.CountAsync($"action:{action.Name}|contact:{lead}", Noon.AddDays(-1), default), Is.Zero, "no slot taken");
    }

    [Test]
    public async Task A_cap_of_one_per_contact_lets_the_first_request_through_again_and_caps_the_second()
    {
        var action = Action(Routed(new FrequencyCap { Name = "daily", Max = 1, WindowHours = 24 }), $"cap-{Unique()}");
        var lead = Unique();
        var data = new JsonObject { ["region"] = "us" };
        Assert.That(await Decide(action, Lead(lead, data.DeepClone().AsObject(), "first")), Is.TypeOf<Verdict.Deliver>());
        Assert.That(await Decide(action, Lead(lead, data.DeepClone().AsObject(), "first"), Noon.AddMinutes(1)), Is.TypeOf<Verdict.Deliver>(), "the same request retried");
        var second = await Decide(action, Lead(lead, data.DeepClone().AsObject(), "second"), Noon.AddHours(1));
        Assert.That(second, Is.TypeOf<Verdict.Withheld>());
        Assert.That(((Verdict.Withheld)second).Kind, Is.EqualTo(Verdict.Capped));
        Assert.That(((Verdict.Withheld)second).Reason, Does.Contain("'daily' is full: 1 of 1"));
        Assert.That(await Decide(action, Lead(lead, data.DeepClone().AsObject(), "third"), Noon.AddHours(25)), Is.TypeOf<Verdict.Deliver>(), "a day later");
    }

    [Test]
    public async Task A_channel_kind_cap_counts_every_action_s_deliveries_on_that_kind()
    {
        var cap = new FrequencyCap { Name = "one-sms", Max = 1, WindowHours = 24, Scope = CapScope.ChannelKind, Per = CapPer.Address };
        var phone = $"+1415666{Random.Shared.Next(1000, 9999)}";
        var data = new JsonObject { ["mobilePhone"] = phone, ["smsConsent"] = true };
        Assert.That(await Decide(Action(Routed(cap), "first-action"), Lead(Unique(), data.DeepClone().AsObject(), $"k1-{phone}")), Is.TypeOf<Verdict.Deliver>());
        Assert.That(await Decide(Action(Routed(cap), "second-action"), Lead(Unique(), data.DeepClone().AsObject(), $"k2-{phone}")), Is.TypeOf<Verdict.Withheld>());
    }

    [Test]
    public async Task A_cap_slot_taken_for_a_refused_delivery_is_given_back()
    {
        var action = Action(Routed(new FrequencyCap { Name = "daily", Max = 1, WindowHours = 24 }), $"release-{Unique()}");
        var lead = Unique();
        var first = (Verdict.Deliver)await Decide(action, Lead(lead, new() { ["region"] = "us" }, "refused"));
        await _gate.ReleaseAsync(first, "refused", default);
        Assert.That(await Decide(action, Lead(lead, new() { ["region"] = "us" }, "next")), Is.TypeOf<Verdict.Deliver>());
    }

    [Test]
    public async Task Outside_the_send_window_the_delivery_is_deferred_to_its_opening_or_ends_when_that_is_after_the_deadline()
    {
        var window = new SendWindow { From = "09:00", To = "20:00", ZoneField = "lead.timeZone", DefaultZone = "UTC" };
        var action = Action(Routed() with { SendWindow = window });
        var data = new JsonObject { ["timeZone"] = "America/New_York", ["region"] = "us" };
        var night = new DateTimeOffset(2026, 6, 11, 3, 0, 0, TimeSpan.Zero); // 23:00 in New York

        var deferred = await Decide(action, Lead(Unique(), data.DeepClone().AsObject(), "w1", night.AddHours(24)), night);
        Assert.That(deferred, Is.TypeOf<Verdict.Defer>());
        Assert.That(((Verdict.Defer)deferred).Until, Is.EqualTo(new DateTimeOffset(2026, 6, 11, 13, 0, 0, TimeSpan.Zero)));

        var late = await Decide(action, Lead(Unique(), data.DeepClone().AsObject(), "w2", night.AddHours(2)), night);
        Assert.That(late, Is.TypeOf<Verdict.TooLate>());
        Assert.That(((Verdict.TooLate)late).Reason, Does.Contain("after the deadline"));

        Assert.That(await Decide(action, Lead(Unique(), data.DeepClone().AsObject(), "w3"), Noon), Is.TypeOf<Verdict.Deliver>(), "noon in New York");
    }
}
