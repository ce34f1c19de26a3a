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
}
