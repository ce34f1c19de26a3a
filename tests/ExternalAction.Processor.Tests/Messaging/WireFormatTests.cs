using System.Text.Json;
using System.Text.Json.Nodes;
using ExternalAction.Contracts.Json;
using ExternalAction.Contracts.Messaging;
using ExternalAction.Contracts.Platform;
using ExternalAction.TestSupport;
using MassTransit.Serialization;

namespace ExternalAction.Processor.Tests.Messaging;

/// <summary>
/// What the Api accepted, the Processor can read: an accepted message written with the bus's serializer options reads
/// back to the same request, unknown fields included, for every entity type. (The real-broker version of this is in the
/// end-to-end suite.)
/// </summary>
[TestFixture]
public sealed class WireFormatTests
{
    private static IEnumerable<TestCaseData> Requests()
    {
        foreach (var (name, request) in new[] { ("lead", SampleRequests.Lead()), ("account", SampleRequests.Account()), ("accountPerson", SampleRequests.AccountPerson()) })
            for (var seed = 1; seed <= 25; seed++)
                yield return new TestCaseData(name, seed, request).SetName($"An_accepted_{name}_with_unknown_fields_reads_back_unchanged(seed {seed})");
    }

    [TestCaseSource(nameof(Requests))]
    public void An_accepted_request_with_unknown_fields_reads_back_unchanged(string entity, int seed, JsonObject sample)
    {
        var body = new UnknownFields(seed).AddEverywhere(sample);
        var accepted = body.Deserialize<ExecutionRequest>(ContractJson.Options)!;
        var message = TestMessages.For(body) with { Request = accepted };

        var wire = JsonSerializer.Serialize(message, SystemTextJsonMessageSerializer.Options);
        var read = JsonSerializer.Deserialize<ActionAccepted>(wire, SystemTextJsonMessageSerializer.Options)!;

        Assert.That(JsonSerializer.Serialize(read.Request, ContractJson.Options), Is.EqualTo(JsonSerializer.Serialize(accepted, ContractJson.Options)),
            $"{entity}, seed {seed}");
        Assert.That(read.Request.Extra, Is.Not.Null.And.Not.Empty, "unknown top-level fields are kept");
        if (entity == "accountPerson")
            Assert.That(read.Request.ObjectData!.ObjectContext!.AccountPersonRelationships!.All(r => r!.Extra is { Count: > 0 }), Is.True,
                "unknown fields of each relationship are kept");
    }

    [Test]
    public void The_request_is_written_as_the_contract_writes_it_whatever_the_bus_options()
    {
        var body = new UnknownFields(7).AddEverywhere(SampleRequests.Lead());
        var message = TestMessages.For(body);

        var wire = JsonNode.Parse(JsonSerializer.Serialize(message, SystemTextJsonMessageSerializer.Options))!;
        var requestKey = wire.AsObject().Single(p => p.Key.Equals("request", StringComparison.OrdinalIgnoreCase)).Key;

        Assert.That(wire[requestKey]!.ToJsonString(ContractJson.Options), Is.EqualTo(JsonSerializer.Serialize(message.Request, ContractJson.Options)));
    }

    [Test]
    public void A_message_queued_by_schema_version_1_is_read_by_this_release()
    {
        var queued = File.ReadAllText(Path.Combine(Fixtures.Root, "messages", "action-accepted-v1.json"));

        var read = JsonSerializer.Deserialize<ActionAccepted>(queued, SystemTextJsonMessageSerializer.Options)!;

        Assert.That(read.SchemaVersion, Is.EqualTo(1));
        Assert.That(read.SchemaVersion, Is.LessThanOrEqualTo(ActionAccepted.CurrentSchemaVersion), "readers accept every version up to theirs");
        Assert.That(read.RequestId, Is.EqualTo("req-fixture-v1"));
        Assert.That(read.ActionVersion, Is.EqualTo("7"));
        Assert.That(read.Deadline, Is.EqualTo(DateTimeOffset.Parse("2026-12-01T23:00:00Z", System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(read.Request.Token, Is.EqualTo("tok-fixture-v1"));
        Assert.That(read.Request.ObjectData!.ObjectContext!.LeadId, Is.EqualTo("12345"));
        Assert.That(read.Request.ObjectData.ObjectContext.LeadData!["score"]!.GetValue<double>(), Is.EqualTo(12.5));
        Assert.That(read.Request.ActionConfig!.PathConfig, Has.Count.EqualTo(2));
        Assert.That(read.Request.Extra!["newAdobeField"].GetProperty("added").GetString(), Is.EqualTo("later"));
        Assert.That(read.HttpHeaders!["X-Customer-ID"], Is.EqualTo("123-ABC-456"));
    }

    [Test]
    public void A_message_from_before_schema_versions_reads_as_version_1()
    {
        var queued = JsonNode.Parse(File.ReadAllText(Path.Combine(Fixtures.Root, "messages", "action-accepted-v1.json")))!.AsObject();
        queued.Remove("schemaVersion");
        queued["attempt"] = 2; // a field older releases wrote and nothing reads

        var read = JsonSerializer.Deserialize<ActionAccepted>(queued.ToJsonString(), SystemTextJsonMessageSerializer.Options)!;

        Assert.That(read.SchemaVersion, Is.EqualTo(1));
        Assert.That(read.RequestId, Is.EqualTo("req-fixture-v1"));
    }

    private static string Fixture(string name) => File.ReadAllText(Path.Combine(Fixtures.Root, "messages", name));

    /// <summary>The work item of another contract as this release queues it (the fixture is that, frozen).</summary>
    private static ActionAccepted ContactWorkItem() => new()
    {
        SchemaVersion = 2,
        RequestId = "sfmc-0123456789abcdef0123456789abcdef",
        ActionName = "slack-alert",
        ActionVersion = "3",
        Contract = ContractNames.Sfmc,
        Identity = new WorkIdentity { EntityType = "contact", ContactKey = "0031x00000AbCdE", JourneyId = "jb-journey-1", JourneyName = "Winback", JourneyInstanceId = "dii-42", ActivityId = "act-7" },
        ReceivedAt = DateTimeOffset.Parse("2026-12-02T01:00:00+00:00", System.Globalization.CultureInfo.InvariantCulture),
        Deadline = DateTimeOffset.Parse("2026-12-03T01:00:00+00:00", System.Globalization.CultureInfo.InvariantCulture),
        Data = new JsonObject
        {
            ["inArguments"] = new JsonObject { ["contactKey"] = "0031x00000AbCdE", ["channel"] = "#winback", ["messageTemplate"] = "Hello {{name}}" },
            ["activityInstanceId"] = "aii-9",
            ["keyValue"] = "0031x00000AbCdE",
        },
    };

    [Test]
    public void This_release_queues_a_work_item_of_another_contract_exactly_as_the_v2_fixture_holds_it()
    {
        var written = JsonNode.Parse(JsonSerializer.Serialize(ContactWorkItem(), SystemTextJsonMessageSerializer.Options))!;
        Assert.That(JsonNode.DeepEquals(written, JsonNode.Parse(Fixture("action-accepted-v2-contact.json"))), Is.True, written.ToJsonString());
    }

    [Test]
    public void A_B2B_message_queued_by_schema_version_2_reads_as_a_B2B_work_item()
    {
        var read = JsonSerializer.Deserialize<ActionAccepted>(Fixture("action-accepted-v2-b2b.json"), SystemTextJsonMessageSerializer.Options)!;

        Assert.That((read.SchemaVersion, read.Contract, read.Identity, read.Data), Is.EqualTo((2, ContractNames.B2B, (WorkIdentity?)null, (JsonObject?)null)));
        var row = new Adapters.B2B.B2BAdapter().Row(read);
        Assert.That((row.Contract, row.EntityType, row.LeadId, row.JourneyId), Is.EqualTo((ContractNames.B2B, "lead", "12345", "journey-1")));
        Assert.That(row.RequestPayload, Does.Not.Contain("tok-fixture-v1").And.Not.Contain("admin-secret-api-key"));
    }

    [Test]
    public void A_message_of_schema_version_1_is_a_B2B_work_item()
    {
        var read = JsonSerializer.Deserialize<ActionAccepted>(Fixture("action-accepted-v1.json"), SystemTextJsonMessageSerializer.Options)!;
        Assert.That(read.Contract, Is.EqualTo(ContractNames.B2B));
        Assert.That(new Adapters.B2B.B2BAdapter().Row(read).Contract, Is.EqualTo(ContractNames.B2B));
    }

    [Test]
    public void A_work_item_of_another_contract_queued_by_schema_version_2_reads_with_its_identity_and_data()
    {
        var read = JsonSerializer.Deserialize<ActionAccepted>(Fixture("action-accepted-v2-contact.json"), SystemTextJsonMessageSerializer.Options)!;

        Assert.That(read, Is.EqualTo(ContactWorkItem() with { Identity = read.Identity, Data = read.Data }));
        Assert.That(read.Identity, Is.EqualTo(ContactWorkItem().Identity));
        Assert.That(JsonNode.DeepEquals(read.Data, ContactWorkItem().Data), Is.True);
        Assert.That(read.Request, Is.Null);
        Assert.Throws<InvalidOperationException>(() => _ = read.B2B, "B2B code never runs on another contract's work item");
        var row = Engine.WorkItemRows.From(read, read.Data);
        Assert.That((row.Contract, row.EntityType, row.ContactKey, row.JourneyInstanceId, row.ActivityId), Is.EqualTo(("sfmc", "contact", "0031x00000AbCdE", "dii-42", "act-7")));
    }

    [Test]
    public void A_work_item_of_a_contract_this_release_does_not_know_still_reads_and_gets_an_envelope_row()
    {
        // A newer release queued a contract (and fields) this one has never heard of.
        var newer = JsonNode.Parse(Fixture("action-accepted-v2-contact.json"))!.AsObject();
        newer["schemaVersion"] = 3;
        newer["contract"] = "some-future-platform";
        newer["somethingNew"] = new JsonObject { ["x"] = 1 };

        var read = JsonSerializer.Deserialize<ActionAccepted>(newer.ToJsonString(), SystemTextJsonMessageSerializer.Options)!;
        var registry = new Engine.ContractRegistry([new Adapters.B2B.B2BAdapter()], []);

        Assert.That(registry.Knows(read), Is.False);
        var row = registry.Adapter(read).Row(read);
        Assert.That((row.RequestId, row.Contract, row.ContactKey, row.RequestPayload), Is.EqualTo((read.RequestId, "some-future-platform", "0031x00000AbCdE", (string?)null)),
            "support finds the row; the payload of an unknown contract is not shown (it could hold anything)");
    }
}
