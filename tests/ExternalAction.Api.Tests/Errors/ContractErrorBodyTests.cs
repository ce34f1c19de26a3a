using System.Net;
using System.Text.Json;
using ExternalAction.TestSupport;

namespace ExternalAction.Api.Tests.Errors;

/// <summary>
/// Every 4xx/5xx the host answers carries the contract's error body, in Production and in Development, including
/// parameter-binding failures and bodiless framework statuses; no error page echoes request headers (finding 15).
/// </summary>
[TestFixture("Production")]
[TestFixture("Development")]
public sealed class ContractErrorBodyTests(string environment)
{
    private const string SecretHeaderValue = "echo-me-if-you-dare-0123456789";
    private ApiFactory _factory = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public void StartApi()
    {
        _factory = new ApiFactory(environment: environment);
        _client = _factory.CreateClient();
    }

    [OneTimeTearDown]
    public void StopApi()
    {
        _client.Dispose();
        _factory.Dispose();
    }

    private async Task<(HttpStatusCode Status, string Body, string? ContentType)> Send(HttpMethod method, string path, bool support = true)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Add("X-Support-Key", support ? ApiFactory.SupportKey : SecretHeaderValue);
        request.Headers.Add("X-API-Key", ApiFactory.ApiKey);
        request.Headers.Add("X-Secret-Probe", SecretHeaderValue);
        using var response = await _client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.MediaType);
    }

    private static async Task AssertContractError(string body, string? contentType)
    {
        Assert.That(contentType, Is.EqualTo("application/json"), body);
        Assert.That(await AdobeSchemas.ValidateAsync("Error", body), Is.Empty, body);
        Assert.That(body, Does.Not.Contain(SecretHeaderValue).And.Not.Contain(ApiFactory.SupportKey).And.Not.Contain(ApiFactory.ApiKey)
            .And.Not.Contain("X-Secret-Probe").And.Not.Contain("   at "));
    }

    [TestCase("/support/requests?pageSize=abc", "pageSize")]
    [TestCase("/support/requests?pageSize=99999999999999999999", "pageSize")]
    [TestCase("/support/requests?pageSize=1.5", "pageSize")]
    public async Task A_parameter_that_does_not_bind_is_a_400_naming_it(string path, string field)
    {
        var (status, body, contentType) = await Send(HttpMethod.Get, path);
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest), body);
        await AssertContractError(body, contentType);
        using var json = JsonDocument.Parse(body);
        Assert.That(json.RootElement.GetProperty("code").GetString(), Is.EqualTo("INVALID_REQUEST"));
        Assert.That(json.RootElement.GetProperty("details")[0].GetProperty("field").GetString(), Is.EqualTo(field));
        Assert.That(body, Does.Not.Contain("abc"), "the value is not echoed");
    }

    [Test]
    public async Task Binding_is_checked_after_the_support_key_is()
    {
        var (status, body, contentType) = await Send(HttpMethod.Get, "/support/requests?pageSize=abc", support: false);
        Assert.That((int)status, Is.EqualTo(400).Or.EqualTo(401), body);
        await AssertContractError(body, contentType);
    }

    [TestCase("GET", "/no/such/path", HttpStatusCode.NotFound)]
    [TestCase("DELETE", "/actions/lead-scoring/submitAsyncAction", HttpStatusCode.MethodNotAllowed)]
    [TestCase("PUT", "/support/counts", HttpStatusCode.MethodNotAllowed)]
    public async Task Bodiless_framework_statuses_get_the_error_body(string method, string path, HttpStatusCode expected)
    {
        var (status, body, contentType) = await Send(new HttpMethod(method), path);
        Assert.That(status, Is.EqualTo(expected), body);
        await AssertContractError(body, contentType);
    }
}
