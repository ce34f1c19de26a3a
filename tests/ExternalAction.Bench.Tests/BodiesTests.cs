using System.Text.Json.Nodes;
using ExternalAction.Bench.Load;
using ExternalAction.TestSupport;

namespace ExternalAction.Bench.Tests;

public sealed class BodiesTests
{
    [Test]
    public void Bodies_take_the_three_entity_types_in_turn_with_unique_tokens()
    {
        var bodies = Enumerable.Range(0, 6).Select(i => Bodies.Create(i, "http://127.0.0.1:1", "run")).ToList();

        Assert.That(bodies.Select(b => b.Token), Is.Unique);
        Assert.That(bodies.Select(b => b.Kind), Is.EqualTo(new[] { EntityKind.Lead, EntityKind.Account, EntityKind.AccountPerson, EntityKind.Lead, EntityKind.Account, EntityKind.AccountPerson }));
        Assert.That(bodies.Select(b => JsonNode.Parse(b.Json)!["objectData"]!["objectType"]!.GetValue<string>()).Distinct(),
            Is.EquivalentTo(new[] { "lead", "account", "accountPerson" }));
    }

    [Test]
    public void Every_other_body_has_split_paths_with_a_default_path()
    {
        var bodies = Enumerable.Range(0, 6).Select(i => Bodies.Create(i, "http://127.0.0.1:1", "run")).ToList();

        Assert.That(bodies.Count(b => b.SplitPaths), Is.EqualTo(3));
        foreach (var body in bodies)
        {
            var json = JsonNode.Parse(body.Json)!;
            Assert.That(json["enableSplitPaths"]!.GetValue<bool>(), Is.EqualTo(body.SplitPaths));
            var paths = json["actionConfig"]!["pathConfig"]?.AsArray();
            Assert.That(paths is not null, Is.EqualTo(body.SplitPaths));
            if (paths is not null)
                Assert.That(paths.Last()!["pathDefinition"]!.AsArray(), Is.Empty);
        }
    }

    [Test]
    public void The_callback_url_points_at_the_sink_and_the_token_is_the_runs()
    {
        var body = Bodies.Create(7, "http://127.0.0.1:5099", "run-1");
        var json = JsonNode.Parse(body.Json)!;

        Assert.That(body.Token, Is.EqualTo(Bodies.Token("run-1", 7)));
        Assert.That(json["token"]!.GetValue<string>(), Is.EqualTo(body.Token));
        Assert.That(json["callbackUrl"]!.GetValue<string>(), Does.StartWith("http://127.0.0.1:5099/callback/"));
    }

    [Test]
    public void One_entity_type_can_be_asked_for()
    {
        Assert.That(Enumerable.Range(0, 5).Select(i => Bodies.Create(i, "http://x", "r", EntityKind.Account).Kind), Has.All.EqualTo(EntityKind.Account));
    }

    [TestCase(0, "LeadObjectData")]
    [TestCase(1, "AccountObjectData")]
    [TestCase(2, "AccountPersonObjectData")]
    [TestCase(3, "LeadObjectData")]
    [TestCase(4, "AccountObjectData")]
    [TestCase(5, "AccountPersonObjectData")]
    public async Task Bodies_satisfy_Adobe_s_execution_request_schema(int sequence, string contextSchema)
    {
        var json = JsonNode.Parse(Bodies.Create(sequence, "https://127.0.0.1:5099", "run").Json)!;
        var context = json["objectData"]!["objectContext"]!;

        Assert.That(await AdobeSchemas.ValidateAsync(contextSchema, context.ToJsonString()), Is.Empty, context.ToJsonString());
        // Adobe's envelope lists the three context shapes under oneOf, and an accountPerson context also matches
        // AccountObjectData (neither forbids extra properties), so the envelope is checked with a lead context in its place.
        if (contextSchema == "AccountPersonObjectData")
            json["objectData"]!["objectContext"] = JsonNode.Parse("""{"leadId":"1","leadData":{}}""");
        Assert.That(await AdobeSchemas.ValidateAsync("ExecutionRequest", json.ToJsonString()), Is.Empty, json.ToJsonString());
    }
}
