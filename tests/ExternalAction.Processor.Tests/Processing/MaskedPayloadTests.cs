using System.Text.Json;
using System.Text.Json.Nodes;
using ExternalAction.Contracts.Json;
using ExternalAction.Contracts.Platform;
using ExternalAction.Processor.Processing;
using ExternalAction.TestSupport;

namespace ExternalAction.Processor.Tests.Processing;

/// <summary>
/// The payload support sees (RequestRows.MaskedPayload) is written in one pass over the serialised request. Its
/// oracle is the rule as it was first written, on a JSON tree: the same string for every request here, including
/// escapes, non-ASCII text, nested admin values and every JSON type.
/// </summary>
public sealed class MaskedPayloadTests
{
    /// <summary>The former implementation: serialise to a tree, remove the token, mask admin and header values, write.</summary>
    private static string Oracle(ExecutionRequest request)
    {
        var node = JsonSerializer.SerializeToNode(request, ContractJson.Options)!.AsObject();
        node.Remove("token");
        if (node["context"]?["admin"] is JsonObject admin)
            foreach (var key in admin.Select(p => p.Key).ToList())
                admin[key] = RequestRows.Mask;
        if (node["customHeaders"] is JsonObject headers)
            foreach (var key in headers.Select(p => p.Key).ToList())
                headers[key] = RequestRows.Mask;
        return node.ToJsonString(ContractJson.Options);
    }

    public static IEnumerable<TestCaseData> Requests()
    {
        yield return new TestCaseData(SampleRequests.Lead()).SetName("lead sample");
        yield return new TestCaseData(SampleRequests.Account()).SetName("account sample");
        yield return new TestCaseData(SampleRequests.AccountPerson()).SetName("accountPerson sample");
        foreach (var file in new[] { "account-enrichment.json", "accountPerson-buying-group.json", "lead-scoring.json" })
        {
            // Adobe's own examples are service definitions; their request samples, where present, are what AJO sends.
            var fixture = JsonNode.Parse(File.ReadAllText(Fixtures.Adobe(file)))!;
            if (fixture["token"] is not null)
                yield return new TestCaseData(fixture.AsObject()).SetName($"Adobe fixture {file}");
        }
        var lead = SampleRequests.Lead();
        lead["context"]!["admin"] = new JsonObject
        {
            ["apiKey"] = "admin-secret-api-key",
            ["nested"] = new JsonObject { ["deep"] = "secret", ["n"] = 3 },
            ["list"] = new JsonArray("a", 1, true),
            ["naïve \"quoted\" key\n"] = "v",
        };
        lead["customHeaders"] = new JsonObject { ["X-Api-Key"] = "header-secret", ["X-Empty"] = "" };
        lead["objectData"]!["objectContext"]!["leadData"]!["note"] = "Zürich – 東京 \"quotes\" \\ back\\slash \u0001 control <tag> & +";
        yield return new TestCaseData(lead).SetName("admin with nested values, headers, escapes and non-ASCII text");
        var bare = SampleRequests.Account();
        bare.Remove("context");
        yield return new TestCaseData(bare).SetName("no context at all");
    }

    [TestCaseSource(nameof(Requests))]
    public void The_masked_payload_is_what_the_tree_based_rule_wrote(JsonObject body)
    {
        var request = body.Deserialize<ExecutionRequest>(ContractJson.Options)!;
        var masked = RequestRows.MaskedPayload(request);
        Assert.That(masked, Is.EqualTo(Oracle(request)));
        if (request.Token is { Length: > 0 } token)
            Assert.That(masked, Does.Not.Contain(token));
    }

    [Test]
    public void Secrets_are_gone_and_everything_else_is_kept()
    {
        var body = SampleRequests.Lead("tok-secret-1");
        body["context"]!["admin"] = new JsonObject { ["apiKey"] = "admin-secret-api-key" };
        body["customHeaders"] = new JsonObject { ["X-Api-Key"] = "header-secret" };
        var masked = JsonNode.Parse(RequestRows.MaskedPayload(body.Deserialize<ExecutionRequest>(ContractJson.Options)!))!;
        Assert.Multiple(() =>
        {
            Assert.That(masked["token"], Is.Null);
            Assert.That(masked["context"]!["admin"]!["apiKey"]!.GetValue<string>(), Is.EqualTo(RequestRows.Mask));
            Assert.That(masked["customHeaders"]!["X-Api-Key"]!.GetValue<string>(), Is.EqualTo(RequestRows.Mask));
            Assert.That(masked["callbackUrl"]!.GetValue<string>(), Is.EqualTo(body["callbackUrl"]!.GetValue<string>()));
            Assert.That(masked["objectData"]!.ToJsonString(), Is.EqualTo(body["objectData"]!.ToJsonString()));
        });
    }
}
