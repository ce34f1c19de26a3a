using System.Text.Json.Nodes;
using ExternalAction.Actions;
using ExternalAction.TestSupport;

namespace ExternalAction.Api.Tests.Actions;

/// <summary>The ServiceDefinition schema shipped in src/Actions is Adobe's, and every sample in the repository meets it.</summary>
[TestFixture]
public sealed class ServiceDefinitionSchemaTests
{
    private const string ComponentRef = "#/components/schemas/";

    [Test]
    public void The_shipped_schema_is_Adobes_ServiceDefinition_component_with_what_it_references()
    {
        var components = YamlToJson.Convert(File.ReadAllText(Fixtures.AdobeOpenApi))!["components"]!["schemas"]!.AsObject();
        var expected = components["ServiceDefinition"]!.DeepClone().AsObject();
        var defs = new JsonObject();
        foreach (var name in References(expected, components).Order(StringComparer.Ordinal))
            defs[name] = components[name]!.DeepClone();
        expected["$defs"] = defs;
        var expectedText = expected.ToJsonString().Replace(ComponentRef, "#/$defs/", StringComparison.Ordinal);

        var shipped = ServiceDefinitionSchema.Document.DeepClone().AsObject();
        foreach (var ours in new[] { "$schema", "$id", "$comment" })
            Assert.That(shipped.Remove(ours), Is.True, $"the shipped schema says {ours}");
        Assert.That(JsonNode.DeepEquals(shipped, JsonNode.Parse(expectedText)), Is.True,
            "src/Actions/Schemas/service-definition.schema.json no longer matches tests/fixtures/adobe/ajo-b2b-external-actions.yaml: convert it again (Schemas/README.md)");
    }

    [Test]
    public void Its_licence_ships_beside_the_binaries()
    {
        var licence = Path.Combine(AppContext.BaseDirectory, "licenses", "adobe-schemas", "LICENSE");
        Assert.That(File.ReadAllText(licence), Does.Contain("Apache License"));
    }

    public static IEnumerable<TestCaseData> Samples()
    {
        var root = RabbitVirtualHost.RepositoryRoot();
        foreach (var folder in new[] { Path.Combine("tests", "fixtures", "adobe"), Path.Combine("src", "Api", "samples") })
            foreach (var file in Directory.GetFiles(Path.Combine(root, folder)).Where(f => f.EndsWith(".json", StringComparison.Ordinal) || f.EndsWith(".yaml", StringComparison.Ordinal)))
                if (!file.EndsWith("ajo-b2b-external-actions.yaml", StringComparison.Ordinal))
                    yield return new TestCaseData(file).SetName($"{folder}/{Path.GetFileName(file)}".Replace('\\', '/'));
    }

    [TestCaseSource(nameof(Samples))]
    public void Every_sample_service_definition_meets_it(string file) =>
        Assert.That(ServiceDefinitionSchema.Validate(ActionFileLoader.LoadServiceDefinition(file)), Is.Empty);

    /// <summary>The component schemas <paramref name="node"/> refers to, directly or through each other.</summary>
    private static HashSet<string> References(JsonNode? node, JsonObject components, HashSet<string>? found = null)
    {
        found ??= [];
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    if (key == "$ref" && value!.GetValue<string>() is { } target && target.StartsWith(ComponentRef, StringComparison.Ordinal)
                        && found.Add(target[ComponentRef.Length..]))
                        References(components[target[ComponentRef.Length..]], components, found);
                    else
                        References(value, components, found);
                }
                break;
            case JsonArray array:
                foreach (var item in array)
                    References(item, components, found);
                break;
        }
        return found;
    }
}
