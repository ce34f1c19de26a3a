using System.Text.Json;
using System.Text.Json.Nodes;
using ExternalAction.Contracts.Json;
using ExternalAction.Processor.Accessors;
using ExternalAction.Processor.Callbacks;
using ExternalAction.TestSupport;
using static ExternalAction.Processor.Tests.TestMessages;

namespace ExternalAction.Processor.Tests.Callbacks;

/// <summary>Callback bodies per entity type, each validated against Adobe's CallbackRequest schema.</summary>
public sealed class CallbackBuilderTests
{
    private static async Task<JsonNode> BuildAndValidate(ExternalAction.Actions.ActionDefinition action, JsonObject request, CallbackOutcome outcome)
    {
        var body = JsonSerializer.Serialize(CallbackBuilder.Build(action, For(request), outcome), ContractJson.Options);
        Assert.That(await AdobeSchemas.ValidateAsync("CallbackRequest", body), Is.Empty, body);
        return JsonNode.Parse(body)!;
    }

    private static AccessorOutcome Values(string json) => new(JsonNode.Parse(json)!.AsObject(), new Dictionary<long, JsonObject>(), []);

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
        var element = body["objectData"]!.AsArray().Single()!;
        Assert.That(element["activityData"]!.ToJsonString(), Is.EqualTo("""{"success":true,"modelVersion":"v2"}"""));
        Assert.That(element["leadData"]!.ToJsonString(ContractJson.Options), Is.EqualTo("""{"id":12345,"accessorValues":{"leadScore":92},"mobilePhone":"+1-555-0101"}"""));
    }

    [Test]
    public async Task An_account_callback_uses_accountData()
    {
        var body = await BuildAndValidate(Action("account-enrichment.json"), SampleRequests.Account(), new CallbackOutcome
        {
            Success = true, Accessors = Values("""{"accountTier":"enterprise"}"""), Fields = new JsonObject { ["annualRevenue"] = 2000000 },
        });
        var account = body["objectData"]![0]!["accountData"]!;
        Assert.That(account["id"]!.GetValue<long>(), Is.EqualTo(67890));
        Assert.That(account["annualRevenue"]!.GetValue<long>(), Is.EqualTo(2000000));
        Assert.That(account["accessorValues"]!["accountTier"]!.GetValue<string>(), Is.EqualTo("enterprise"));
        Assert.That(body["objectData"]![0]!["leadData"], Is.Null);
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
            Accessors = new AccessorOutcome(new JsonObject(), perPerson, []),
            Fields = new JsonObject { ["validatedTitle"] = "CTO", ["buyingGroupSize"] = 7 },
        });
        var element = body["objectData"]![0]!;
        Assert.That(element["accountData"]!.ToJsonString(), Is.EqualTo("""{"id":54321,"buyingGroupSize":7}"""));
        var people = element["accountPersonData"]!.AsArray();
        Assert.That(people[0]!.ToJsonString(), Is.EqualTo("""{"accountPersonRelId":9001,"accountId":54321,"personId":12345,"leadData":{"validatedTitle":"CTO"},"accessorValues":{"buyingRole":"economic_buyer"}}"""));
        Assert.That(people[1]!["accessorValues"]!["buyingRole"]!.GetValue<string>(), Is.EqualTo("champion"));
    }

    [Test]
    public async Task A_failure_callback_has_ids_error_code_and_reason_only()
    {
        var body = await BuildAndValidate(Action("lead-scoring.json"), SampleRequests.Lead(), new CallbackOutcome
        {
            Success = false, ErrorCode = "EXTERNAL_API_ERROR", Reason = "the channel said no",
            Accessors = Values("""{"leadScore":92}"""), Fields = new JsonObject { ["mobilePhone"] = "x" },
        });
        Assert.That(body.ToJsonString(), Is.EqualTo("""{"objectData":[{"activityData":{"success":false,"errorCode":"EXTERNAL_API_ERROR","reason":"the channel said no"},"leadData":{"id":12345}}]}"""));
    }
}
