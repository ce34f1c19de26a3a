using System.Text.Json.Nodes;
using ExternalAction.Actions;
using ExternalAction.Contracts.Platform;
using ExternalAction.Contracts.ServiceDefinitions;
using ExternalAction.Processor.Accessors;
using ExternalAction.TestSupport;
using static ExternalAction.Processor.Tests.TestMessages;

namespace ExternalAction.Processor.Tests.Accessors;

/// <summary>Accessor values from constants, request fields and the channel's answer, checked against accessorsMetadata.</summary>
public sealed class AccessorResolverTests
{
    private const string Response = """
        { "data": { "score": 92, "tier": "hot", "items": [ { "id": "first" }, { "id": "second", "tags": ["a", "b"] } ], "odd name": "x", "empty": null },
          "ready": "true", "big": 150, "text": "92", "whole": "92.0", "fraction": 1.5, "huge": 1e30, "day": "2026-03-15",
          "instant": "2026-03-15T10:00:00+01:00", "noOffset": "2026-03-15T10:00:00", "usDate": "03/15/2026", "tierUpper": "HIGH" }
        """;

    [Test]
    public void Values_come_from_constants_request_fields_and_the_response()
    {
        var action = Action("lead-scoring.json", accessors: new()
        {
            ["leadScore"] = TestMessages.Response("$.data.score"),
            ["scoreTier"] = TestMessages.Response("data.tier"),
            ["readyToBuy"] = Constant(true),
            ["persona"] = TestMessages.Request("objectData.flowStepContext.scoringModel"),
        });
        var outcome = AccessorResolver.Resolve(action, For(SampleRequests.Lead()), Response);
        Assert.That(outcome.Values.ToJsonString(), Is.EqualTo("""{"leadScore":92,"scoreTier":"hot","readyToBuy":true,"persona":"predictive"}"""));
        Assert.That(outcome.Rejections, Is.Empty);
        Assert.That(outcome.ByRelationship, Is.Empty);
    }

    [TestCase("objectData.objectContext.leadData.company", "Acme")]
    [TestCase("$.objectData.objectContext.leadData.email", "jane@example.com")]
    [TestCase("context.subscription.munchkinId", "123-ABC-456")]
    [TestCase("$['context']['journey']['name']", "Welcome series")]
    [TestCase("actionConfig.pathConfig[1].pathId", "warm")]
    [TestCase("objectData.objectContext.leadId", "12345")]
    public void Request_paths_read_the_execution_request(string path, string expected)
    {
        var action = Action("lead-scoring.json", accessors: new() { ["persona"] = TestMessages.Request(path) });
        var outcome = AccessorResolver.Resolve(action, For(SampleRequests.Lead()), null);
        Assert.That(outcome.Values["persona"]?.GetValue<string>(), Is.EqualTo(expected), string.Join("; ", outcome.Rejections));
    }

    [Test]
    public void A_constant_is_a_copy_not_the_configured_node()
    {
        var constant = Constant(new JsonObject { ["a"] = 1 });
        var read = ValueMappingReader.Read(constant, new JsonObject(), null);
        Assert.That(read, Is.Not.SameAs(constant.Value));
        Assert.That(read!.ToJsonString(), Is.EqualTo("""{"a":1}"""));
    }

    public static IEnumerable<TestCaseData> Accepted()
    {
        yield return Row(DataTypes.Integer, "$.text", "92").SetName("A numeric string for an integer becomes the number");
        yield return Row(DataTypes.Integer, "$.whole", "92").SetName("A whole decimal string for an integer becomes the number");
        yield return Row(DataTypes.Integer, "$.data.score", "92").SetName("A JSON integer stays");
        yield return Row(DataTypes.Float, "$.fraction", "1.5").SetName("A JSON float stays");
        yield return Row(DataTypes.Float, "$.data.score", "92").SetName("A JSON integer is a float");
        yield return Row(DataTypes.Float, "$.text", "92").SetName("A numeric string for a float becomes the number");
        yield return Row(DataTypes.Float, "$.huge", "1e30").SetName("A float beyond the decimal range stays");
        yield return Row(DataTypes.Boolean, "$.ready", "true").SetName("A true string for a boolean becomes true");
        yield return Row(DataTypes.Date, "$.day", "\"2026-03-15\"").SetName("A full date is a date");
        yield return Row(DataTypes.DateTime, "$.instant", "\"2026-03-15T10:00:00+01:00\"").SetName("An RFC 3339 date-time is a datetime");
        yield return Row(DataTypes.String, "$.data.tier", "\"hot\"").SetName("A string is a string");
    }

    [TestCaseSource(nameof(Accepted))]
    public void A_value_that_fits_its_data_type_is_sent_as_that_type(string dataType, string path, string expectedJson)
    {
        var outcome = Resolve(new AccessorMetadata { AccessorName = "x", DataType = dataType }, TestMessages.Response(path));
        Assert.That(outcome.Rejections, Is.Empty);
        Assert.That(JsonNode.DeepEquals(outcome.Values["x"], JsonNode.Parse(expectedJson)), Is.True, outcome.Values["x"]!.ToJsonString());
        Assert.That(outcome.Values["x"]!.GetValueKind(), Is.EqualTo(JsonNode.Parse(expectedJson)!.GetValueKind()));
    }

    public static IEnumerable<TestCaseData> Rejected()
    {
        yield return Row(DataTypes.Integer, "$.data.tier", "expected an integer, got \"hot\"").SetName("A word for an integer is left out");
        yield return Row(DataTypes.Integer, "$.fraction", "expected an integer, got a fraction (1.5)").SetName("A fraction for an integer is left out");
        yield return Row(DataTypes.Integer, "$.huge", "outside the int64 range").SetName("An integer beyond int64 is left out");
        yield return Row(DataTypes.Integer, "$.ready", "expected an integer").SetName("A boolean string for an integer is left out");
        yield return Row(DataTypes.Float, "$.data.tier", "expected a number").SetName("A word for a float is left out");
        yield return Row(DataTypes.String, "$.data.score", "expected a string, got 92").SetName("A number for a string is left out");
        yield return Row(DataTypes.String, "$.data.items", "expected a string, got an array of 2").SetName("An array for a string is left out");
        yield return Row(DataTypes.Boolean, "$.data.tier", "expected a boolean").SetName("A word for a boolean is left out");
        yield return Row(DataTypes.Date, "$.usDate", "expected a date (yyyy-MM-dd)").SetName("A US date is not a date");
        yield return Row(DataTypes.Date, "$.instant", "expected a date (yyyy-MM-dd)").SetName("A date-time is not a date");
        yield return Row(DataTypes.DateTime, "$.noOffset", "expected an RFC 3339 date-time").SetName("A date-time without offset is left out");
        yield return Row(DataTypes.DateTime, "$.day", "expected an RFC 3339 date-time").SetName("A bare date is not a datetime");
        yield return Row(DataTypes.DateTime, "$.data.score", "expected an RFC 3339 date-time").SetName("A number is not a datetime");
        yield return Row("email", "$.data.tier", "dataType 'email' is not one of").SetName("An unknown data type is left out");
        yield return Row(DataTypes.Integer, "$.nothing", "no value at response path '$.nothing' (missing or null)").SetName("A missing response field is left out");
        yield return Row(DataTypes.String, "$.data.empty", "no value at response path").SetName("A null response field is left out");
        yield return Row(DataTypes.String, "$.data.items[*].id", "not a supported JSON path").SetName("A path outside the subset is left out");
    }

    [TestCaseSource(nameof(Rejected))]
    public void A_value_of_the_wrong_type_is_left_out_with_the_reason(string dataType, string path, string reason)
    {
        var outcome = Resolve(new AccessorMetadata { AccessorName = "x", DataType = dataType }, TestMessages.Response(path));
        Assert.That(outcome.Values.ContainsKey("x"), Is.False);
        Assert.That(outcome.Rejections.Single().Accessor, Is.EqualTo("x"));
        Assert.That(outcome.Rejections.Single().Reason, Does.Contain(reason));
    }

    [Test]
    public void A_missing_request_field_is_left_out_with_its_path()
    {
        var outcome = Resolve(new AccessorMetadata { AccessorName = "x", DataType = DataTypes.String }, TestMessages.Request("objectData.flowStepContext.nope"));
        Assert.That(outcome.Rejections.Single().Reason, Is.EqualTo("no value at request path 'objectData.flowStepContext.nope' (missing or null)"));
    }

    [Test]
    public void A_response_that_is_not_json_gives_no_values_and_says_so()
    {
        var action = Action("lead-scoring.json", channel: null, accessors: new() { ["leadScore"] = TestMessages.Response("$.score") });
        var outcome = AccessorResolver.Resolve(action, For(SampleRequests.Lead()), "<html>ok</html>");
        Assert.That(outcome.Values, Is.Empty);
        Assert.That(outcome.Rejections.Single().Reason, Is.EqualTo("no value: the channel's answer is not JSON"));
    }

    [Test]
    public void An_accessor_not_declared_in_accessors_metadata_is_left_out()
    {
        var action = Action("lead-scoring.json", accessors: new() { ["mystery"] = Constant(1) });
        var outcome = AccessorResolver.Resolve(action, For(SampleRequests.Lead()), null);
        Assert.That(outcome.Values, Is.Empty);
        Assert.That(outcome.Rejections.Single(), Is.EqualTo(new AccessorRejection("mystery", "not declared in accessorsMetadata")));
    }

    [Test]
    public void Min_and_max_values_are_enforced()
    {
        // lead-enrichment.yaml: enrichmentScore 0..100.
        var action = Action("lead-enrichment.yaml", accessors: new() { ["enrichmentScore"] = TestMessages.Response("$.big") });
        var outcome = AccessorResolver.Resolve(action, For(SampleRequests.Lead()), Response);
        Assert.That(outcome.Values.ContainsKey("enrichmentScore"), Is.False);
        Assert.That(outcome.Rejections.Single().Reason, Is.EqualTo("150 is above maxValue 100"));

        var low = Resolve(new AccessorMetadata { AccessorName = "x", DataType = DataTypes.Float, Constraints = new() { MinValue = 2 } }, TestMessages.Response("$.fraction"));
        Assert.That(low.Rejections.Single().Reason, Is.EqualTo("1.5 is below minValue 2"));

        var inside = Resolve(new AccessorMetadata { AccessorName = "x", DataType = DataTypes.Integer, Constraints = new() { MinValue = 92, MaxValue = 92 } }, TestMessages.Response("$.text"));
        Assert.That(inside.Values["x"]!.GetValue<long>(), Is.EqualTo(92), "the bounds are inclusive");
    }

    [Test]
    public void Allowed_values_are_enforced_and_a_string_is_sent_in_the_declared_spelling()
    {
        // lead-enrichment.yaml: dataQuality one of high/medium/low.
        var action = Action("lead-enrichment.yaml", accessors: new() { ["dataQuality"] = TestMessages.Response("$.tierUpper") });
        Assert.That(AccessorResolver.Resolve(action, For(SampleRequests.Lead()), Response).Values["dataQuality"]!.GetValue<string>(), Is.EqualTo("high"));

        action = Action("lead-enrichment.yaml", accessors: new() { ["dataQuality"] = Constant("superb") });
        var outcome = AccessorResolver.Resolve(action, For(SampleRequests.Lead()), Response);
        Assert.That(outcome.Values, Is.Empty);
        Assert.That(outcome.Rejections.Single().Reason, Is.EqualTo("\"superb\" is not one of the allowedValues (high, medium, low)"));
    }

    [Test]
    public void Allowed_values_of_a_number_compare_as_numbers()
    {
        var meta = new AccessorMetadata { AccessorName = "x", DataType = DataTypes.Integer, Constraints = new() { AllowedValues = ["1", "92.0"] } };
        Assert.That(Resolve(meta, TestMessages.Response("$.data.score")).Values["x"]!.GetValue<long>(), Is.EqualTo(92));
        Assert.That(Resolve(meta, TestMessages.Response("$.big")).Rejections.Single().Reason, Does.Contain("not one of the allowedValues"));
    }

    [Test]
    public void A_long_rejected_string_is_described_without_its_content()
    {
        var outcome = Resolve(new AccessorMetadata { AccessorName = "x", DataType = DataTypes.Integer }, Constant(new string('s', 41)));
        Assert.That(outcome.Rejections.Single().Reason, Is.EqualTo("expected an integer, got a string of 41 characters"));
    }

    [Test]
    public void Account_person_values_are_computed_per_relationship()
    {
        var action = Action("accountPerson-buying-group.json", accessors: new()
        {
            ["buyingRole"] = TestMessages.Request("relationship.relationshipMetadata.role"),
            ["engagementLevel"] = TestMessages.Request("relationship.leadData.title"),
            ["influenceScore"] = Constant(80),
            ["accountReadiness"] = TestMessages.Request("objectData.flowStepContext.analysisType"),
        });
        var outcome = AccessorResolver.Resolve(action, For(SampleRequests.AccountPerson()), null);

        Assert.That(outcome.Values.ToJsonString(), Is.EqualTo("""{"influenceScore":80,"accountReadiness":"committee_complete"}"""), "entity-level values only");
        Assert.That(outcome.ByRelationship.Keys, Is.EquivalentTo(new long[] { 9001, 9002 }));
        Assert.That(outcome.ByRelationship[9001].ToJsonString(),
            Is.EqualTo("""{"influenceScore":80,"accountReadiness":"committee_complete","buyingRole":"decision-maker","engagementLevel":"VP Sales"}"""));
        Assert.That(outcome.ByRelationship[9002]["buyingRole"]!.GetValue<string>(), Is.EqualTo("champion"));
        Assert.That(outcome.ByRelationship[9002]["engagementLevel"]!.GetValue<string>(), Is.EqualTo("Engineer"));
        Assert.That(outcome.Rejections, Is.Empty);
    }

    [Test]
    public void An_account_person_value_rejected_for_one_relationship_names_it_and_stays_for_the_others()
    {
        var request = SampleRequests.AccountPerson();
        request["objectData"]!["objectContext"]!["accountPersonRelationships"]![1]!["relationshipMetadata"]!["role"] = 7;
        var action = Action("accountPerson-buying-group.json", accessors: new() { ["buyingRole"] = TestMessages.Request("relationship.relationshipMetadata.role") });
        var outcome = AccessorResolver.Resolve(action, For(request), null);
        Assert.That(outcome.ByRelationship[9001]["buyingRole"]!.GetValue<string>(), Is.EqualTo("decision-maker"));
        Assert.That(outcome.ByRelationship[9002].ContainsKey("buyingRole"), Is.False);
        Assert.That(outcome.Rejections.Single(), Is.EqualTo(new AccessorRejection("buyingRole", "expected a string, got 7 (relationship 9002)")));
    }

    [Test]
    public void A_relationship_path_on_a_lead_request_is_left_out_with_the_reason()
    {
        var action = Action("lead-scoring.json", accessors: new() { ["persona"] = TestMessages.Request("relationship.relationshipMetadata.role") });
        var outcome = AccessorResolver.Resolve(action, For(SampleRequests.Lead()), null);
        Assert.That(outcome.Values, Is.Empty);
        Assert.That(outcome.Rejections.Single().Reason, Does.Contain("only accountPerson requests have relationships"));
    }

    [TestCase("$.data.items[0].id", "first")]
    [TestCase("data.items[1].id", "second")]
    [TestCase("$.data.items[1].tags[1]", "b")]
    [TestCase("data['odd name']", "x")]
    [TestCase("$['data'][\"odd name\"]", "x")]
    [TestCase("$.data.odd name", "x")]
    [TestCase("  $.data.tier  ", "hot")]
    [TestCase("$.data.items[3].id", null)]
    [TestCase("$.nope.deeper", null)]
    [TestCase("$.data.tier.deeper", null)]
    [TestCase("$.data[0]", null)]
    [TestCase("$.data.Tier", null)]
    public void Json_paths_select_nested_fields(string path, string? expected) =>
        Assert.That(JsonPath.Select(JsonNode.Parse(Response), path)?.GetValue<string>(), Is.EqualTo(expected));

    [TestCase("$", true)]
    [TestCase("data.items[0].id", true)]
    [TestCase("$['a b'].c", true)]
    [TestCase("", false)]
    [TestCase(".data", false)]
    [TestCase("data.", false)]
    [TestCase("$..data", false)]
    [TestCase("$data", false)]
    [TestCase("data[*]", false)]
    [TestCase("data.*", false)]
    [TestCase("data[-1]", false)]
    [TestCase("data[0:2]", false)]
    [TestCase("data[?(@.x)]", false)]
    [TestCase("data['open", false)]
    [TestCase("data[99999999999]", false)]
    public void Paths_outside_the_subset_are_refused(string path, bool valid)
    {
        Assert.That(JsonPath.IsValid(path), Is.EqualTo(valid));
        if (!valid)
            Assert.That(JsonPath.Select(JsonNode.Parse(Response), path), Is.Null);
    }

    [Test]
    public void The_root_path_selects_the_whole_document() =>
        Assert.That(JsonPath.Select(JsonNode.Parse("[1,2]"), "$[1]")!.GetValue<int>(), Is.EqualTo(2));

    private static TestCaseData Row(string dataType, string path, string expected) => new(dataType, path, expected);

    private static AccessorOutcome Resolve(AccessorMetadata meta, ValueMapping mapping)
    {
        var sample = Action("lead-scoring.json");
        var definition = sample.ServiceDefinition with
        {
            InvocationPayloadDef = sample.ServiceDefinition.InvocationPayloadDef! with { AccessorsMetadata = [meta] },
        };
        var action = sample with { ServiceDefinition = definition, Accessors = new() { [meta.AccessorName!] = mapping } };
        return AccessorResolver.Resolve(action, For(SampleRequests.Lead()), Response);
    }
}
