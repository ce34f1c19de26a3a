using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using ExternalAction.TestSupport;

namespace ExternalAction.Api.Tests.Contract;

/// <summary>Every response body the platform reads validates against the matching schema of Adobe's reference OpenAPI document.</summary>
[TestFixture]
public sealed class ResponseContractTests
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

    [TestCase("lead-scoring")]
    [TestCase("account-enrichment")]
    [TestCase("buying-group")]
    [TestCase("lead-enrichment")]
    public async Task The_service_definition_validates_against_the_ServiceDefinition_schema(string action)
    {
        using var anonymous = _factory.CreateClient();
        using var response = await anonymous.GetAsync($"/actions/{action}/getServiceDefinition");
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        Assert.That(await AdobeSchemas.ValidateAsync("ServiceDefinition", body), Is.Empty, body);
        Assert.That(JsonNode.Parse(body)!["supportedEntityType"], Is.Not.Null);
    }

    [Test]
    public async Task The_yaml_sample_is_served_with_serviceAttribute_fields()
    {
        using var response = await _client.GetAsync("/actions/lead-enrichment/getServiceDefinition");
        var fields = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["invocationPayloadDef"]!["fields"]!.AsArray();
        Assert.That(fields.Select(f => f!["serviceAttribute"]?.GetValue<string>()), Does.Contain("email"));
        Assert.That(fields.All(f => f!["apiName"] is null), Is.True);
    }

    [Test]
    public async Task The_status_body_validates()
    {
        using var response = await _client.GetAsync("/actions/lead-scoring/status");
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        Assert.That(await AdobeSchemas.ValidateStatusAsync(body), Is.Empty, body);
    }

    [Test]
    public async Task The_acknowledgement_validates_against_ExecutionResponse()
    {
        using var response = await _client.PostAsync("/actions/lead-scoring/submitAsyncAction",
            new StringContent(SampleRequests.Lead().ToJsonString(), Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        Assert.That(await AdobeSchemas.ValidateAsync("ExecutionResponse", body), Is.Empty, body);
        Assert.That(JsonNode.Parse(body)!["status"]!.GetValue<string>(), Is.EqualTo("accepted"));
    }

    [TestCase("account-enrichment")]
    [TestCase("buying-group")]
    public async Task Each_entity_type_example_is_accepted(string action)
    {
        var request = action == "buying-group" ? SampleRequests.AccountPerson() : SampleRequests.Account();
        using var response = await _client.PostAsync($"/actions/{action}/submitAsyncAction",
            new StringContent(request.ToJsonString(), Encoding.UTF8, "application/json"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    public static IEnumerable<TestCaseData> ErrorResponses()
    {
        yield return new TestCaseData("400", "application/json", "{}", true).SetName("A 400 body validates against Error");
        yield return new TestCaseData("415", "text/plain", "{}", true).SetName("A 415 body validates against Error");
        yield return new TestCaseData("413", "application/json", "{\"x\":\"" + new string('x', 70_000) + "\"}", true).SetName("A 413 body validates against Error");
        yield return new TestCaseData("401", "application/json", SampleRequests.Lead().ToJsonString(), false).SetName("A 401 body validates against Error");
    }

    [TestCaseSource(nameof(ErrorResponses))]
    public async Task Error_bodies_validate_against_the_Error_schema(string expected, string contentType, string body, bool authenticated)
    {
        using var client = authenticated ? _factory.CreateAuthenticatedClient() : _factory.CreateClient();
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        using var response = await client.PostAsync("/actions/lead-scoring/submitAsyncAction", content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(expected), text);
        Assert.That(await AdobeSchemas.ValidateAsync("Error", text), Is.Empty, text);
    }

    [Test]
    public async Task The_openapi_document_declares_the_three_paths_and_exactly_one_scheme()
    {
        using var anonymous = _factory.CreateClient();
        using var response = await anonymous.GetAsync("/actions/lead-scoring/openapi.json");
        var doc = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.That(doc["openapi"]!.GetValue<string>(), Does.StartWith("3.0."));
        Assert.That(doc["paths"]!.AsObject().Select(p => p.Key), Is.SupersetOf(new[] { "/getServiceDefinition", "/submitAsyncAction", "/status" }));
        Assert.That(doc["components"]!["securitySchemes"]!.AsObject().Count, Is.EqualTo(1));
        Assert.That(doc["security"]!.AsArray().Count, Is.EqualTo(1));
        Assert.That(doc["components"]!["securitySchemes"]!.AsObject().Single().Value!["type"]!.GetValue<string>(), Is.EqualTo("apiKey"));
        Assert.That(doc["servers"]![0]!["url"]!.GetValue<string>(), Does.EndWith("/actions/lead-scoring"));
        Assert.That(doc["info"]!["x-providerName"], Is.Not.Null);
        Assert.That(doc["info"]!["x-schemaVersion"]!.GetValue<string>(), Is.EqualTo("1.0.0"));
        Assert.That(doc["info"]!["x-supportContact"], Is.Not.Null);
        Assert.That(doc["info"]!["title"]!.GetValue<string>(), Is.EqualTo("Lead Scoring Service"));
        var operationIds = doc["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject().Where(o => o.Value is JsonObject).Select(o => o.Value!["operationId"]!.GetValue<string>())).ToList();
        Assert.That(operationIds, Is.Unique);
    }

    [Test]
    public async Task The_openapi_yaml_carries_the_same_document()
    {
        using var anonymous = _factory.CreateClient();
        var yaml = await anonymous.GetStringAsync("/actions/account-enrichment/openapi.yaml");
        var json = JsonNode.Parse(await anonymous.GetStringAsync("/actions/account-enrichment/openapi.json"))!;
        var fromYaml = new YamlDotNet.Serialization.DeserializerBuilder().Build().Deserialize<Dictionary<string, object>>(yaml);
        Assert.That(fromYaml["openapi"], Is.EqualTo(json["openapi"]!.GetValue<string>()));
        Assert.That(((Dictionary<object, object>)fromYaml["paths"]).Keys, Is.EquivalentTo(json["paths"]!.AsObject().Select(p => p.Key)));
    }
}
