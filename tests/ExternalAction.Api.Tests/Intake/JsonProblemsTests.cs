using ExternalAction.Api.Intake;

namespace ExternalAction.Api.Tests.Intake;

/// <summary>
/// The JSON type intake names in "has the wrong JSON type (expected …)" comes from the contract types' metadata at
/// <c>JsonException.Path</c>, not from the exception's text (issue 9 item 4).
/// </summary>
public sealed class JsonProblemsTests
{
    [TestCase("$", "an object")]
    [TestCase("$.token", "a string")]
    [TestCase("$.enableSplitPaths", "a boolean")]
    [TestCase("$.context", "an object")]
    [TestCase("$.context.subscription.imsOrgId", "a string or a number")]
    [TestCase("$.objectData.objectContext.leadId", "a string or a number")]
    [TestCase("$.objectData.objectContext.leadData", "an object")]
    [TestCase("$.objectData.objectContext.accountPersonRelationships", "an array")]
    [TestCase("$.objectData.objectContext.accountPersonRelationships[3].accountPersonRelId", "an integer")]
    [TestCase("$.objectData.objectContext.accountPersonRelationships[0].isEmployee", "a boolean")]
    [TestCase("$.actionConfig.timeout", "an integer")]
    [TestCase("$.actionConfig.pathConfig", "an array")]
    [TestCase("$.actionConfig.pathConfig[0].pathDefinition[1].values[0]", "a string")]
    [TestCase("$.customHeaders", "an object")]
    [TestCase("$.customHeaders.X-Customer-ID", "a string")]
    [TestCase("$.customHeaders['X.Odd \\'name\\'']", "a string")]
    [TestCase("$['customHeaders']", "an object")]
    [TestCase("$.objectData.objectContext.leadData.anything", null)]
    [TestCase("$.noSuchField", null)]
    [TestCase("$.token[0]", null)]
    public void The_expected_type_at_a_path_comes_from_the_contract_types(string path, string? expected) =>
        Assert.That(JsonProblems.ExpectedAt(path), Is.EqualTo(expected));
}
