using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using ExternalAction.TestSupport;
using static ExternalAction.Api.Tests.Ajo.AjoPayloads;

namespace ExternalAction.Api.Tests.Ajo;

/// <summary>
/// <c>POST /actions/{name}/ajo/invoke</c> checks a call against the declared request payload (AJO's toBeMapped notation):
/// wrong types, missing mapped fields, unknown fields, lists and nested collections answer 400 naming the JSON path, in
/// the contract's error shape; never a 5xx.
/// </summary>
[TestFixture]
public sealed class AjoInvokeValidationTests
{
    private ApiFactory _factory = null!;
    private HttpClient _client = null!;

    private static readonly JsonObject Valid = JsonNode.Parse("""
        {
          "profileId": "p-1", "journeyVersionId": "jv-1", "stepId": "s-1",
          "age": 41, "score": 12.5, "optIn": true, "lastSeen": "2026-11-30T08:15:00Z", "nickname": "Ann",
          "tags": ["vip", "eu"],
          "orders": [ { "orderId": "o-1", "lines": [ { "sku": "a", "qty": 1 }, { "sku": "b", "qty": 2 } ] } ],
          "address": { "city": "Lyon", "zip": "69001", "country": "FR" },
          "source": "ajo", "version": 2
        }
        """)!.AsObject();

    [OneTimeSetUp]
    public void Start()
    {
        _factory = new ApiFactory(new Dictionary<string, string?> { ["ExternalAction:Actions:File"] = Path.Combine(Fixtures.Root, "actions", "ajo-actions.json") });
        _client = _factory.CreateAuthenticatedClient();
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _client.Dispose();
        _factory.Dispose();
    }

    private static TestCaseData Ok(string name, string path, object? value) => new TestCaseData(path, value, null).SetName($"{name} is accepted");

    private static TestCaseData Bad(string name, string path, object? value, string field) => new TestCaseData(path, value, field).SetName($"{name} answers 400 naming {field}");

    public static IEnumerable<TestCaseData> Rows()
    {
        yield return Ok("The valid call", "source", "ajo");
        yield return Bad("A missing mapped string", "profileId", Remove, "$.profileId");
        yield return Bad("A null mapped string", "stepId", null, "$.stepId");
        yield return Bad("A string where an integer is declared", "age", "41", "$.age");
        yield return Bad("A fraction where an integer is declared", "age", 41.5, "$.age");
        yield return Ok("An integer written with a zero fraction", "age", JsonNode.Parse("41.0"));
        yield return Bad("A string where a decimal is declared", "score", "12.5", "$.score");
        yield return Ok("An integer where a decimal is declared", "score", 12);
        yield return Bad("A string where a boolean is declared", "optIn", "true", "$.optIn");
        yield return Bad("A number where a boolean is declared", "optIn", 1, "$.optIn");
        yield return Bad("A date-time that is not one", "lastSeen", "yesterday", "$.lastSeen");
        yield return Bad("A date-time as epoch seconds", "lastSeen", 1764490500, "$.lastSeen");
        yield return Bad("A date without a time", "lastSeen", "2026-11-30", "$.lastSeen");
        yield return Ok("A date-time with fraction and offset", "lastSeen", "2026-11-30T08:15:00.123+02:00");
        yield return Ok("An optional field left out", "nickname", Remove);
        yield return Ok("An optional field sent as null", "nickname", null);
        yield return Bad("An optional field of the wrong type", "nickname", 5, "$.nickname");
        yield return Bad("A missing list", "tags", Remove, "$.tags");
        yield return Bad("A string where a list is declared", "tags", "vip", "$.tags");
        yield return Ok("An empty list", "tags", new JsonArray());
        yield return Bad("A list item of the wrong type", "tags[1]", 3, "$.tags[1]");
        yield return Bad("A null list item", "tags[0]", null, "$.tags[0]");
        yield return Bad("A collection item without a mapped field", "orders[0].orderId", Remove, "$.orders[0].orderId");
        yield return Bad("A nested collection item of the wrong type", "orders[0].lines[1].qty", "2", "$.orders[0].lines[1].qty");
        yield return Bad("A nested collection that is not an array", "orders[0].lines", new JsonObject(), "$.orders[0].lines");
        yield return Bad("A collection item that is not an object", "orders[1]", "o-2", "$.orders[1]");
        yield return Bad("An unknown field in a nested collection item", "orders[0].lines[0].colour", "red", "$.orders[0].lines[0].colour");
        yield return Ok("A second collection item", "orders[1]", JsonNode.Parse("""{ "orderId": "o-2", "lines": [] }"""));
        yield return Bad("A missing object with mapped fields", "address", Remove, "$.address");
        yield return Bad("A mapped field of a nested object of the wrong type", "address.city", 7, "$.address.city");
        yield return Ok("A constant left out (filled in)", "address.country", Remove);
        yield return Bad("A constant of another JSON type", "address.country", 33, "$.address.country");
        yield return Ok("A constant with another value of its type", "source", "other");
        yield return Bad("A number constant sent as a string", "version", "2", "$.version");
        yield return Bad("An unknown top-level field", "campaign", "x", "$.campaign");
        yield return Bad("An unknown field whose name needs quoting", "a b", 1, "$['a b']");
        yield return Bad("An identity value that is too long", "profileId", new string('p', 257), "$.profileId");
        yield return Bad("An identity value with a control character", "profileId", "p\u0007", "$.profileId");
        yield return Bad("An empty identity value", "journeyVersionId", "", "$.journeyVersionId");
        yield return Bad("A number where a string identity is declared", "journeyVersionId", 12, "$.journeyVersionId");
    }

    [TestCaseSource(nameof(Rows))]
    public async Task A_call_is_checked_against_the_declaration(string path, object? value, string? field)
    {
        using var response = await _client.PostAsJsonAsync("/actions/ajo-profile/ajo/invoke", Edit(Valid, path, value));
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        if (field is null)
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body.ToJsonString());
            Assert.That(body["requestId"]!.GetValue<string>(), Does.Match("^ajo-[0-9a-f]{32}$"));
            return;
        }
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), body.ToJsonString());
            Assert.That(body["code"]!.GetValue<string>(), Is.EqualTo("INVALID_REQUEST"));
            Assert.That(body["details"]!.AsArray().Select(d => d!["field"]!.GetValue<string>()), Is.EqualTo(new[] { field }));
            Assert.That(body["message"]!.GetValue<string>(), Does.StartWith($"Invalid field {field}:"));
        });
    }

    [TestCase("[1, 2]", "$", TestName = "A body that is an array answers 400")]
    [TestCase("{\"profileId\": ", "$", TestName = "A body that is not JSON answers 400")]
    [TestCase("{\"age\": 1, \"age\": 2}", "$.age", TestName = "A repeated property answers 400 naming it")]
    public async Task A_body_that_is_no_object_is_refused(string json, string field)
    {
        using var response = await _client.PostAsync("/actions/ajo-profile/ajo/invoke", new StringContent(json, Encoding.UTF8, "application/json"));
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(body["details"]![0]!["field"]!.GetValue<string>(), Is.EqualTo(field));
        });
    }

    [Test]
    public async Task A_body_that_is_not_json_media_answers_415()
    {
        using var response = await _client.PostAsync("/actions/ajo-profile/ajo/invoke", new StringContent(Valid.ToJsonString(), Encoding.UTF8, "text/plain"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.UnsupportedMediaType));
    }

    [Test]
    public async Task Every_problem_is_listed()
    {
        var payload = Edit(Edit(Edit(Valid, "age", "x"), "tags[0]", 1), "orders[0].lines[0].qty", Remove);

        using var response = await _client.PostAsJsonAsync("/actions/ajo-profile/ajo/invoke", payload);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.That(body["details"]!.AsArray().Select(d => d!["field"]!.GetValue<string>()),
            Is.EquivalentTo(new[] { "$.age", "$.tags[0]", "$.orders[0].lines[0].qty" }));
    }

    [Test]
    public async Task Rules_decide_the_response_fields()
    {
        // Other profiles than the table's: an answer is kept per call (request id) for AJO's retries.
        using var senior = await _client.PostAsJsonAsync("/actions/ajo-profile/ajo/invoke", Edit(Edit(Valid, "age", 70), "profileId", "p-senior"));
        using var standard = await _client.PostAsJsonAsync("/actions/ajo-profile/ajo/invoke", Edit(Edit(Valid, "age", 30), "profileId", "p-standard"));
        var a = JsonNode.Parse(await senior.Content.ReadAsStringAsync())!;
        var b = JsonNode.Parse(await standard.Content.ReadAsStringAsync())!;

        Assert.Multiple(() =>
        {
            Assert.That(a["segment"]!.GetValue<string>(), Is.EqualTo("senior"));
            Assert.That(a["discount"]!.GetValue<int>(), Is.EqualTo(10));
            Assert.That(b["segment"]!.GetValue<string>(), Is.EqualTo("standard"));
            Assert.That(b["discount"]!.GetValue<int>(), Is.EqualTo(0));
        });
    }

    [Test]
    public async Task The_request_id_comes_from_the_identity_fields_only()
    {
        using var first = await _client.PostAsJsonAsync("/actions/ajo-profile/ajo/invoke", Valid);
        using var sameCall = await _client.PostAsJsonAsync("/actions/ajo-profile/ajo/invoke", Edit(Valid, "score", 99));
        using var otherStep = await _client.PostAsJsonAsync("/actions/ajo-profile/ajo/invoke", Edit(Valid, "stepId", "s-2"));
        var ids = new List<string>();
        foreach (var r in new[] { first, sameCall, otherStep })
            ids.Add(JsonNode.Parse(await r.Content.ReadAsStringAsync())!["requestId"]!.GetValue<string>());

        Assert.Multiple(() =>
        {
            Assert.That(ids[1], Is.EqualTo(ids[0]));
            Assert.That(ids[2], Is.Not.EqualTo(ids[0]));
        });
    }

    [Test]
    public async Task Without_identity_fields_the_key_is_the_canonical_payload()
    {
        using var a = await _client.PostAsync("/actions/ajo-ignore/ajo/invoke", new StringContent("""{"id":"1","extra":{"b":1,"a":2}}""", Encoding.UTF8, "application/json"));
        using var b = await _client.PostAsync("/actions/ajo-ignore/ajo/invoke", new StringContent("""{ "extra": {"a":2,"b":1}, "id": "1" }""", Encoding.UTF8, "application/json"));
        using var c = await _client.PostAsync("/actions/ajo-ignore/ajo/invoke", new StringContent("""{"id":"2"}""", Encoding.UTF8, "application/json"));
        var ids = new List<string>();
        foreach (var r in new[] { a, b, c })
        {
            Assert.That(r.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            var body = JsonNode.Parse(await r.Content.ReadAsStringAsync())!;
            Assert.That(body["status"]!.GetValue<string>(), Is.EqualTo("accepted"));
            ids.Add(body["requestId"]!.GetValue<string>());
        }

        // "ignore" drops the unknown field before the key is computed, so the first two are one call.
        Assert.Multiple(() =>
        {
            Assert.That(ids[1], Is.EqualTo(ids[0]));
            Assert.That(ids[2], Is.Not.EqualTo(ids[0]));
        });
    }

    [Test]
    public async Task Keep_accepts_unknown_fields_and_keys_on_them()
    {
        using var a = await _client.PostAsync("/actions/ajo-keep/ajo/invoke", new StringContent("""{"id":"1","extra":{"b":1,"a":2}}""", Encoding.UTF8, "application/json"));
        using var b = await _client.PostAsync("/actions/ajo-keep/ajo/invoke", new StringContent("""{"extra":{"a":2,"b":1},"id":"1"}""", Encoding.UTF8, "application/json"));
        using var c = await _client.PostAsync("/actions/ajo-keep/ajo/invoke", new StringContent("""{"id":"1","extra":{"a":3}}""", Encoding.UTF8, "application/json"));
        var ids = new List<string>();
        foreach (var r in new[] { a, b, c })
        {
            Assert.That(r.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            ids.Add(JsonNode.Parse(await r.Content.ReadAsStringAsync())!["requestId"]!.GetValue<string>());
        }

        Assert.Multiple(() =>
        {
            Assert.That(ids[1], Is.EqualTo(ids[0]), "key order does not matter");
            Assert.That(ids[2], Is.Not.EqualTo(ids[0]));
        });
    }

    [Test]
    public async Task A_call_without_credentials_answers_401()
    {
        using var anonymous = _factory.CreateClient();
        using var response = await anonymous.PostAsJsonAsync("/actions/ajo-profile/ajo/invoke", Valid);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task An_unknown_action_answers_404()
    {
        using var response = await _client.PostAsJsonAsync("/actions/nope/ajo/invoke", Valid);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }
}
