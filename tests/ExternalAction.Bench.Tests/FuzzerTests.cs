using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ExternalAction.Bench.Fuzz;
using ExternalAction.Bench.Load;

namespace ExternalAction.Bench.Tests;

public sealed class FuzzerTests
{
    private static int IndexOf(string kind, EntityKind entity) =>
        Enumerable.Range(0, 100).First(i => Fuzzer.KindOf(i) == kind && (EntityKind)(i % 3) == entity);

    [Test]
    public void Every_kind_of_mutation_comes_once_in_every_eleven_submissions() =>
        Assert.That(Enumerable.Range(0, Fuzzer.Kinds.Length).Select(Fuzzer.KindOf), Is.EquivalentTo(Fuzzer.Kinds));

    [TestCase("Lead")]
    [TestCase("Account")]
    [TestCase("AccountPerson")]
    public async Task Unknown_field_bodies_stay_valid_and_carry_unknown_fields_at_the_top_and_in_every_relationship_item(string kind)
    {
        var entity = Enum.Parse<EntityKind>(kind);
        var index = IndexOf("unknown fields", entity);
        var original = JsonNode.Parse(Bodies.Create(index, "http://127.0.0.1:1", "run").Json)!;

        var mutated = JsonNode.Parse(await Fuzzer.Mutate(index, new Random(3), entity: null, "http://127.0.0.1:1", "run").ReadAsStringAsync())!.AsObject();

        static IEnumerable<string> Unknown(JsonObject o) => o.Select(p => p.Key).Where(k => k.StartsWith("newAdobeField", StringComparison.Ordinal) || k.StartsWith("futureField", StringComparison.Ordinal));
        Assert.That(Unknown(mutated), Is.Not.Empty);
        Assert.That(Unknown(mutated["objectData"]!["objectContext"]!.AsObject()), Is.Not.Empty);
        Assert.That(JsonNode.DeepEquals(WithoutUnknown(mutated.DeepClone()), original), Is.True, "apart from the added fields the body is the valid one");
        if (entity == EntityKind.AccountPerson)
        {
            var items = mutated["objectData"]!["objectContext"]!["accountPersonRelationships"]!.AsArray();
            Assert.That(items, Has.Count.EqualTo(2));
            Assert.That(items.Select(i => Unknown(i!.AsObject()).Count()), Has.All.GreaterThan(0));
            Assert.That(items.Select(i => i!["personId"]!.GetValue<long>()), Is.Not.Empty, "known fields stay");
        }
    }

    private static JsonNode? WithoutUnknown(JsonNode? node)
    {
        if (node is JsonObject o)
        {
            foreach (var key in o.Select(p => p.Key).Where(k => k.StartsWith("newAdobeField", StringComparison.Ordinal) || k.StartsWith("futureField", StringComparison.Ordinal)).ToList())
                o.Remove(key);
            foreach (var (_, value) in o)
                WithoutUnknown(value);
        }
        else if (node is JsonArray a)
        {
            foreach (var item in a)
                WithoutUnknown(item);
        }
        return node;
    }

    [Test]
    public async Task Unknown_fields_take_every_JSON_type_over_a_run()
    {
        var kinds = new HashSet<JsonValueKind>();
        var random = new Random(1);
        for (var i = 0; i < 200; i++)
        {
            var content = Fuzzer.Mutate(i, random, entity: null, "http://127.0.0.1:1", "run");
            if (Fuzzer.KindOf(i) != "unknown fields")
                continue;
            using var document = JsonDocument.Parse(Encoding.UTF8.GetString(await content.ReadAsByteArrayAsync()));
            foreach (var property in document.RootElement.EnumerateObject().Where(p => p.Name.StartsWith("newAdobeField", StringComparison.Ordinal) || p.Name.StartsWith("futureField", StringComparison.Ordinal)))
                kinds.Add(property.Value.ValueKind);
        }
        Assert.That(kinds, Is.SupersetOf(new[] { JsonValueKind.String, JsonValueKind.Number, JsonValueKind.True, JsonValueKind.False, JsonValueKind.Null, JsonValueKind.Array, JsonValueKind.Object }));
    }
}
