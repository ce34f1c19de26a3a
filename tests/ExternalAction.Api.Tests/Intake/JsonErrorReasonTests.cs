using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ExternalAction.Api.Intake;
using ExternalAction.TestSupport;

namespace ExternalAction.Api.Tests.Intake;

/// <summary>
/// A body System.Text.Json cannot read is refused naming the field from <c>JsonException.Path</c> and a reason from
/// the kind of failure and the JSON type the contract expects there, never from the exception's text (issue 9 item 4).
/// </summary>
[TestFixture]
public sealed class JsonErrorReasonTests
{
    private ApiFactory _factory = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public void StartApi()
    {
        _factory = new ApiFactory();
        _client = _factory.CreateAuthenticatedClient();
    }

    [OneTimeTearDown]
    public void StopApi()
    {
        _client.Dispose();
        _factory.Dispose();
    }

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

    private static readonly string Lead = SampleRequests.Lead().ToJsonString();

    private static IEnumerable<TestCaseData> Bodies()
    {
        static string Mutated(Action<JsonObject> mutate)
        {
            var lead = SampleRequests.Lead();
            mutate(lead);
            return lead.ToJsonString();
        }
        yield return new TestCaseData(Mutated(r => r["token"] = 42), "token", "has the wrong JSON type (expected a string)").SetName("A number for a string");
        yield return new TestCaseData(Mutated(r => r["actionConfig"]!["pathConfig"] = new JsonObject()), "actionConfig.pathConfig", "has the wrong JSON type (expected an array)").SetName("An object for an array");
        yield return new TestCaseData(Mutated(r => r["objectData"]!["objectContext"]!["leadId"] = true), "objectData.objectContext.leadId", "has the wrong JSON type (expected a string or a number)").SetName("A boolean for an id the platform sends as a string or a number");
        yield return new TestCaseData(Lead.Replace("\"firstName\":\"Jane\"", "\"deep\":" + new string('[', 100) + new string(']', 100), StringComparison.Ordinal),
            "objectData.objectContext.leadData", "is nested too deeply").SetName("Nesting past the configured depth");
        yield return new TestCaseData(Lead[..120], "context", "is not valid JSON (line 1, position 121)").SetName("Truncated JSON");
    }

    [TestCaseSource(nameof(Bodies))]
    public async Task An_unreadable_body_names_the_field_and_why(string body, string field, string reason)
    {
        using var response = await _client.PostAsync("/actions/lead-scoring/submitAsyncAction", new StringContent(body, Encoding.UTF8, "application/json"));
        await AssertRefused(response, field, reason);
    }

    [Test]
    public async Task Invalid_utf8_in_a_string_is_named_as_such_not_as_a_wrong_type()
    {
        var bytes = Encoding.UTF8.GetBytes(SampleRequests.Lead(token: "TOKENX").ToJsonString());
        bytes[Array.IndexOf(bytes, (byte)'X')] = 0xFF;
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await _client.PostAsync("/actions/lead-scoring/submitAsyncAction", content);
        await AssertRefused(response, "token", "is not valid UTF-8 text");
    }

    private static async Task AssertRefused(HttpResponseMessage response, string field, string reason)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), body);
        using var json = JsonDocument.Parse(body);
        var detail = json.RootElement.GetProperty("details")[0];
        Assert.That((detail.GetProperty("field").GetString(), detail.GetProperty("message").GetString()), Is.EqualTo((field, reason)), body);
        Assert.That(json.RootElement.GetProperty("message").GetString(), Is.EqualTo($"Invalid field {field}: {reason}."));
    }
}
