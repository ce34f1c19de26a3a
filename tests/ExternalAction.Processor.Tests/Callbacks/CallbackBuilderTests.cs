using System.Text.Json;
using System.Text.Json.Nodes;
using ExternalAction.Actions;
using ExternalAction.Contracts.Json;
using ExternalAction.Processor.Accessors;
using ExternalAction.Processor.Callbacks;
using ExternalAction.TestSupport;
using static ExternalAction.Processor.Tests.TestMessages;

namespace ExternalAction.Processor.Tests.Callbacks;

/// <summary>Callback bodies per entity type, each validated against the CallbackRequest schema of Adobe's reference document.</summary>
public sealed class CallbackBuilderTests
{
    private static readonly string[] AccountPersonItemKeys = ["accountPersonRelId", "accountId", "personId", "leadData", "accessorValues"];

    private static async Task<JsonNode> BuildAndValidate(ActionDefinition action, JsonObject request, CallbackOutcome outcome)
    {
        var body = JsonSerializer.Serialize(CallbackBuilder.Build(action, For(request), outcome), ContractJson.Options);
        Assert.That(await AdobeSchemas.ValidateAsync("CallbackRequest", body), Is.Empty, body);
        var json = JsonNode.Parse(body)!;
        Assert.That(json["objectData"]!.AsArray(), Has.Count.EqualTo(1), "exactly one element");
        return json;
    }

    private static AccessorOutcome Values(string json) => new(JsonNode.Parse(json)!.AsObject(), new Dictionary<long, JsonObject>(), []);

    private static void AssertIsJsonInteger(JsonNode? node, long expected)
    {
        Assert.That(node!.GetValueKind(), Is.EqualTo(JsonValueKind.Number));
        Assert.That(node.GetValue<long>(), Is.EqualTo(expected));
    }

    [Test]
    public async Task A_lead_callback_carries_the_id_fields_attributes_and_accessor_values()
    {
        var body = await BuildAndValidate(Action("lead-scoring.json"), SampleRequests.Lead(), new CallbackOutcome
        {
            Success = true,
            Accessors = Values("""{"leadScore":92}"""),
            Fields = new JsonObject { ["mobilePhone"] = "+1-555-0101" },
            ActivityAttributes = new JsonObject { ["modelVersion"] = "v2" },
        });
        var element = body["objectData"]![0]!;
        Assert.That(element["activityData"]!.ToJsonString(), Is.EqualTo("""{"success":true,"modelVersion":"v2"}"""));
        Assert.That(element["leadData"]!.ToJsonString(ContractJson.Options), Is.EqualTo("""{"id":12345,"accessorValues":{"leadScore":92},"mobilePhone":"+1-555-0101"}"""));
        AssertIsJsonInteger(element["leadData"]!["id"], 12345);
        Assert.That(element["accountData"], Is.Null);
        Assert.That(element["accountPersonData"], Is.Null);
    }

    [Test]
    public async Task An_account_callback_uses_accountData()
    {
        var body = await BuildAndValidate(Action("account-enrichment.json"), SampleRequests.Account(), new CallbackOutcome
        {
            Success = true,
            Accessors = Values("""{"accountTier":"enterprise"}"""),
            Fields = new JsonObject { ["annualRevenue"] = 2000000 },
            ActivityAttributes = new JsonObject { ["enrichmentStatus"] = "complete" },
        });
        var element = body["objectData"]![0]!;
        var account = element["accountData"]!;
        AssertIsJsonInteger(account["id"], 67890);
        Assert.That(account["annualRevenue"]!.GetValue<long>(), Is.EqualTo(2000000));
        Assert.That(account["accessorValues"]!["accountTier"]!.GetValue<string>(), Is.EqualTo("enterprise"));
        Assert.That(element["activityData"]!["enrichmentStatus"]!.GetValue<string>(), Is.EqualTo("complete"));
        Assert.That(element["leadData"], Is.Null);
        Assert.That(element["accountPersonData"], Is.Null);
    }

    [Test]
    public async Task An_account_person_callback_has_one_item_per_relationship_with_its_own_values_and_no_extra_keys()
    {
        var perPerson = new Dictionary<long, JsonObject>
        {
            [9001] = new JsonObject { ["buyingRole"] = "economic_buyer" },
            [9002] = new JsonObject { ["buyingRole"] = "champion" },
        };
        var body = await BuildAndValidate(Action("accountPerson-buying-group.json"), SampleRequests.AccountPerson(), new CallbackOutcome
        {
            Success = true,
            Accessors = new AccessorOutcome(new JsonObject { ["committeeComplete"] = true }, perPerson, []),
            Fields = new JsonObject { ["validatedTitle"] = "CTO", ["buyingGroupSize"] = 7 },
            ActivityAttributes = new JsonObject { ["modelConfidence"] = 0.9 },
        });
        var element = body["objectData"]![0]!;
        Assert.That(element["accountData"]!.ToJsonString(), Is.EqualTo("""{"id":54321,"buyingGroupSize":7}"""), "account fields, no accessor values");
        AssertIsJsonInteger(element["accountData"]!["id"], 54321);
        Assert.That(element["leadData"], Is.Null);

        var people = element["accountPersonData"]!.AsArray();
        Assert.That(people, Has.Count.EqualTo(2));
        Assert.That(people[0]!.ToJsonString(), Is.EqualTo("""{"accountPersonRelId":9001,"accountId":54321,"personId":12345,"leadData":{"validatedTitle":"CTO"},"accessorValues":{"buyingRole":"economic_buyer"}}"""));
        Assert.That(people[1]!["accessorValues"]!.ToJsonString(), Is.EqualTo("""{"buyingRole":"champion"}"""));
        foreach (var (person, ids) in people.Zip(new[] { (9001L, 54321L, 12345L), (9002L, 54321L, 12346L) }))
        {
            Assert.That(person!.AsObject().Select(p => p.Key), Is.SubsetOf(AccountPersonItemKeys));
            AssertIsJsonInteger(person["accountPersonRelId"], ids.Item1);
            AssertIsJsonInteger(person["accountId"], ids.Item2);
            AssertIsJsonInteger(person["personId"], ids.Item3);
        }
    }

    [Test]
    public async Task Account_person_values_resolved_from_the_request_land_on_each_person()
    {
        var action = Action("accountPerson-buying-group.json", accessors: new()
        {
            ["buyingRole"] = TestMessages.Request("relationship.relationshipMetadata.role"),
            ["influenceScore"] = Constant(80),
        });
        var message = SampleRequests.AccountPerson();
        var accessors = AccessorResolver.Resolve(action, For(message), null);
        var body = await BuildAndValidate(action, message, new CallbackOutcome { Success = true, Accessors = accessors });
        var element = body["objectData"]![0]!;
        Assert.That(element["accountData"]!.ToJsonString(), Is.EqualTo("""{"id":54321}"""));
        Assert.That(element["accountPersonData"]![0]!["accessorValues"]!.ToJsonString(), Is.EqualTo("""{"influenceScore":80,"buyingRole":"decision-maker"}"""));
        Assert.That(element["accountPersonData"]![1]!["accessorValues"]!.ToJsonString(), Is.EqualTo("""{"influenceScore":80,"buyingRole":"champion"}"""));
    }

    [Test]
    public async Task A_relationship_without_its_own_values_gets_the_shared_ones()
    {
        var accessors = new AccessorOutcome(new JsonObject { ["committeeComplete"] = true },
            new Dictionary<long, JsonObject> { [9001] = new JsonObject { ["buyingRole"] = "champion" } }, []);
        var body = await BuildAndValidate(Action("accountPerson-buying-group.json"), SampleRequests.AccountPerson(), new CallbackOutcome { Success = true, Accessors = accessors });
        Assert.That(body["objectData"]![0]!["accountPersonData"]![1]!["accessorValues"]!.ToJsonString(), Is.EqualTo("""{"committeeComplete":true}"""));
    }

    [Test]
    public async Task A_failure_callback_has_ids_error_code_and_reason_only()
    {
        var body = await BuildAndValidate(Action("lead-scoring.json"), SampleRequests.Lead(), new CallbackOutcome
        {
            Success = false, ErrorCode = "EXTERNAL_API_ERROR", Reason = "the channel said no",
            Accessors = Values("""{"leadScore":92}"""), Fields = new JsonObject { ["mobilePhone"] = "x" },
            ActivityAttributes = new JsonObject { ["modelVersion"] = "v2" },
        });
        Assert.That(body.ToJsonString(), Is.EqualTo("""{"objectData":[{"activityData":{"success":false,"errorCode":"EXTERNAL_API_ERROR","reason":"the channel said no"},"leadData":{"id":12345}}]}"""));
    }

    [Test]
    public async Task An_account_failure_callback_has_the_account_id_only()
    {
        var body = await BuildAndValidate(Action("account-enrichment.json"), SampleRequests.Account(), new CallbackOutcome
        {
            Success = false, ErrorCode = "ENRICHMENT_FAILED", Reason = "No enrichment data available for this domain",
            Fields = new JsonObject { ["annualRevenue"] = 1 },
        });
        Assert.That(body.ToJsonString(), Is.EqualTo("""{"objectData":[{"activityData":{"success":false,"errorCode":"ENRICHMENT_FAILED","reason":"No enrichment data available for this domain"},"accountData":{"id":67890}}]}"""));
    }

    [Test]
    public async Task An_account_person_failure_callback_keeps_every_relationship_with_ids_only()
    {
        var body = await BuildAndValidate(Action("accountPerson-buying-group.json"), SampleRequests.AccountPerson(), new CallbackOutcome
        {
            Success = false, ErrorCode = "API_ERROR", Reason = "the channel said no",
            Accessors = new AccessorOutcome(new JsonObject { ["committeeComplete"] = true }, new Dictionary<long, JsonObject>(), []),
            Fields = new JsonObject { ["validatedTitle"] = "CTO", ["buyingGroupSize"] = 7 },
        });
        var element = body["objectData"]![0]!;
        Assert.That(element["accountData"]!.ToJsonString(), Is.EqualTo("""{"id":54321}"""));
        Assert.That(element["accountPersonData"]!.ToJsonString(), Is.EqualTo(
            """[{"accountPersonRelId":9001,"accountId":54321,"personId":12345},{"accountPersonRelId":9002,"accountId":54321,"personId":12346}]"""));
    }

    [Test]
    public async Task A_failure_without_a_code_gets_a_generic_one()
    {
        var body = await BuildAndValidate(Action("lead-scoring.json"), SampleRequests.Lead(), new CallbackOutcome { Success = false });
        var activity = body["objectData"]![0]!["activityData"]!;
        Assert.That(activity["errorCode"]!.GetValue<string>(), Is.EqualTo("API_ERROR"));
        Assert.That(activity["reason"]!.GetValue<string>(), Is.Not.Empty);
    }

    [Test]
    public async Task Fields_go_only_where_the_callback_definition_declares_them()
    {
        // lead-scoring declares person fields only; account-enrichment account fields only.
        var lead = await BuildAndValidate(Action("lead-scoring.json"), SampleRequests.Lead(), new CallbackOutcome
        {
            Success = true, Fields = new JsonObject { ["mobilePhone"] = "+1", ["annualRevenue"] = 5, ["undeclared"] = "x" },
        });
        Assert.That(lead["objectData"]![0]!["leadData"]!.ToJsonString(), Is.EqualTo("""{"id":12345,"mobilePhone":"\u002B1"}"""));

        var account = await BuildAndValidate(Action("account-enrichment.json"), SampleRequests.Account(), new CallbackOutcome
        {
            Success = true, Fields = new JsonObject { ["mobilePhone"] = "+1", ["annualRevenue"] = 5 },
        });
        Assert.That(account["objectData"]![0]!["accountData"]!.ToJsonString(), Is.EqualTo("""{"id":67890,"annualRevenue":5}"""));
    }

    [Test]
    public async Task Fields_and_attributes_named_like_the_schemas_own_keys_are_dropped()
    {
        var body = await BuildAndValidate(Action("lead-scoring.json"), SampleRequests.Lead(), new CallbackOutcome
        {
            Success = true,
            Accessors = Values("""{"leadScore":92}"""),
            ActivityAttributes = new JsonObject { ["success"] = false, ["reason"] = "x", ["modelVersion"] = "v2" },
        });
        Assert.That(body["objectData"]![0]!["activityData"]!.ToJsonString(), Is.EqualTo("""{"success":true,"modelVersion":"v2"}"""));

        // Even when the service definition declares such a field, it cannot replace the id or the accessor values.
        var sample = Action("lead-scoring.json");
        var odd = sample with
        {
            ServiceDefinition = sample.ServiceDefinition with
            {
                CallbackPayloadDef = new() { Fields = [new() { ServiceAttribute = "id", DataType = "integer" }, new() { ServiceAttribute = "accessorValues", DataType = "string" }] },
            },
        };
        body = await BuildAndValidate(odd, SampleRequests.Lead(), new CallbackOutcome
        {
            Success = true, Accessors = Values("""{"leadScore":92}"""), Fields = new JsonObject { ["id"] = 1, ["accessorValues"] = "x" },
        });
        Assert.That(body["objectData"]![0]!["leadData"]!.ToJsonString(), Is.EqualTo("""{"id":12345,"accessorValues":{"leadScore":92}}"""));
    }

    [Test]
    public async Task An_empty_accessor_set_is_left_out_rather_than_sent_empty()
    {
        var body = await BuildAndValidate(Action("lead-scoring.json"), SampleRequests.Lead(), new CallbackOutcome { Success = true, Accessors = Values("{}") });
        Assert.That(body["objectData"]![0]!["leadData"]!.ToJsonString(), Is.EqualTo("""{"id":12345}"""));
    }
}
