using System.Text.Json.Nodes;
using ExternalAction.Actions;
using ExternalAction.Processor.Accessors;
using ExternalAction.TestSupport;
using static ExternalAction.Processor.Tests.TestMessages;

namespace ExternalAction.Processor.Tests.Accessors;

/// <summary>Accessor values from constants, request fields and the channel's answer, checked against accessorsMetadata.</summary>
public sealed class AccessorResolverTests
{
    private const string Response = """{ "data": { "score": 92, "tier": "hot", "items": [ { "id": "first" } ], "odd name": "x" }, "ready": "true", "big": 150, "text": "92" }""";

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
    }

    [Test]
    public void A_lossless_numeric_or_boolean_string_is_converted()
    {
        var action = Action("lead-scoring.json", accessors: new() { ["leadScore"] = TestMessages.Response("$.text"), ["readyToBuy"] = TestMessages.Response("$.ready") });
        var outcome = AccessorResolver.Resolve(action, For(SampleRequests.Lead()), Response);
        Assert.That(outcome.Values["leadScore"]!.GetValue<long>(), Is.EqualTo(92));
        Assert.That(outcome.Values["readyToBuy"]!.GetValue<bool>(), Is.True);
    }

    public static IEnumerable<TestCaseData> Rejected()
    {
        yield return new TestCaseData("leadScore", TestMessages.Response("$.data.tier"), "expected an integer").SetName("A string for an integer is left out");
        yield return new TestCaseData("leadScore", Constant(1.5), "expected an integer").SetName("A fraction for an integer is left out");
        yield return new TestCaseData("scoreTier", Constant(3), "expected a string").SetName("A number for a string is left out");
        yield return new TestCaseData("readyToBuy", Constant("maybe"), "expected a boolean").SetName("A word for a boolean is left out");
        yield return new TestCaseData("leadScore", TestMessages.Response("$.nothing"), "no value").SetName("A missing response field is left out");
    }

    [TestCaseSource(nameof(Rejected))]
    public void A_value_of_the_wrong_type_is_left_out_with_the_reason(string accessor, ValueMapping mapping, string reason)
    {
        var action = Action("lead-scoring.json", accessors: new() { [accessor] = mapping });
        var outcome = AccessorResolver.Resolve(action, For(SampleRequests.Lead()), Response);
        Assert.That(outcome.Values.ContainsKey(accessor), Is.False);
        Assert.That(outcome.Rejections.Single().Accessor, Is.EqualTo(accessor));
        Assert.That(outcome.Rejections.Single().Reason, Does.Contain(reason));
    }

    [Test]
    public void Constraints_min_max_and_allowed_values_are_enforced()
    {
        // lead-enrichment.yaml: enrichmentScore 0..100, dataQuality one of high/medium/low.
        var action = Action("lead-enrichment.yaml", accessors: new()
        {
            ["enrichmentScore"] = TestMessages.Response("$.big"),
            ["dataQuality"] = Constant("superb"),
            ["contactability"] = Constant("good"),
        });
        var outcome = AccessorResolver.Resolve(action, For(SampleRequests.Lead()), Response);
        Assert.That(outcome.Values.ToJsonString(), Is.EqualTo("""{"contactability":"good"}"""));
        Assert.That(outcome.Rejections.Select(r => r.Reason), Has.Some.Contains("above maxValue 100").And.Some.Contains("allowedValues"));
    }

    [Test]
    public void Account_person_values_are_computed_per_relationship()
    {
        var action = Action("accountPerson-buying-group.json", accessors: new()
        {
            ["buyingRole"] = TestMessages.Request("relationship.relationshipMetadata.role"),
            ["influenceScore"] = Constant(80),
        });
        var outcome = AccessorResolver.Resolve(action, For(SampleRequests.AccountPerson()), null);
        Assert.That(outcome.ByRelationship.Keys, Is.EquivalentTo(new long[] { 9001, 9002 }));
        Assert.That(outcome.ByRelationship[9001].ToJsonString(), Is.EqualTo("""{"influenceScore":80,"buyingRole":"decision-maker"}"""));
        Assert.That(outcome.ByRelationship[9002]["buyingRole"]!.GetValue<string>(), Is.EqualTo("champion"));
    }

    [TestCase("$.data.items[0].id", "first")]
    [TestCase("data['odd name']", "x")]
    [TestCase("$.data.items[3].id", null)]
    [TestCase("$.nope.deeper", null)]
    public void Json_paths_select_nested_fields(string path, string? expected) =>
        Assert.That(JsonPath.Select(JsonNode.Parse(Response), path)?.GetValue<string>(), Is.EqualTo(expected));
}
