using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ExternalAction.TestSupport;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace ExternalAction.EndToEnd.Tests;

/// <summary>
/// Journey Builder custom activities on the real broker and PostgreSQL: execute → 200 → the channel gets the rendered
/// in-arguments → the status row is final and support finds it by contact key and definition instance; Journey Builder's
/// retries deliver once; the Data Extension write-back survives a 500 and records the 200.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class SfmcEndToEndTests
{
    private const string ClientSecret = "sfmc-client-secret-value-0123456789";
    private EndToEndEnvironment _env = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _env = await EndToEndEnvironment.StartAsync(settings =>
    {
        foreach (var (key, value) in SfmcJourneyBuilder.Settings())
            settings[key] = value;
        settings["ExternalAction:Intake:PublicBaseUrl"] = "https://sfmc.example.com";
        settings["Secrets:sfmc-client-secret"] = ClientSecret;
    }, moreActions: wire => [Notify(wire, "sfmc-notify", writeBack: null), Notify(wire, "sfmc-notify-de", WriteBack(wire))]);
        _env.Wire.Given(Request.Create().WithPath("/sfmc-channel/*").UsingPost()).AtPriority(50)
            .RespondWith(Response.Create().WithStatusCode(200).WithBodyAsJson(new { ok = true }));
        _env.Wire.Given(Request.Create().WithPath("/sfmc-channel/refused-*").UsingPost()).AtPriority(10)
            .RespondWith(Response.Create().WithStatusCode(422).WithBodyAsJson(new { error = "unknown recipient" }));
    }

    [OneTimeTearDown]
    public async Task Stop() => await _env.DisposeAsync();

    private static JsonObject WriteBack(string wire) => new()
    {
        ["subdomain"] = "mc-test",
        ["clientId"] = "sfmc-client",
        ["clientSecretSecret"] = "sfmc-client-secret",
        ["accountId"] = "5150",
        ["dataExtensionKey"] = "NotifyLog",
        ["authBaseUrl"] = wire + "/mc-auth/",
        ["restBaseUrl"] = wire + "/mc-rest/",
        ["fields"] = new JsonObject
        {
            ["ContactKey"] = "{{ contactKey }}", ["Channel"] = "webhook", ["Status"] = "{{ outcome.status }}", ["RequestId"] = "{{ requestId }}",
        },
    };

    private static JsonObject Notify(string wire, string name, JsonObject? writeBack)
    {
        var action = JsonNode.Parse($$$"""
            {
              "name": "{{{name}}}",
              "version": "2",
              "channel": {
                "type": "webhook",
                "url": "{{{wire}}}/sfmc-channel/{{ contactKey }}",
                "body": { "contact": "{{ contactKey }}", "text": "{{ inArguments.messageTemplate }}", "journey": "{{ journeyId }}" },
                "timeoutSeconds": 5
              },
              "sfmc": {
                "label": "Notify",
                "inArguments": [
                  { "name": "contactKey", "binding": "{{Contact.Key}}", "required": true },
                  { "name": "messageTemplate", "configurable": true, "required": true }
                ]
              }
            }
            """)!.AsObject();
        if (writeBack is not null)
            action["sfmc"]!["writeBack"] = writeBack;
        return action;
    }

    private async Task<(HttpStatusCode Status, JsonObject Body)> ExecuteAsync(string action, string contact, string message = "Your parcel is on its way")
    {
        var payload = SfmcJourneyBuilder.Payload(new Dictionary<string, JsonNode?> { ["contactKey"] = contact, ["messageTemplate"] = message }, contactKey: contact);
        using var response = await _env.Client.PostAsync($"/actions/{action}/sfmc/execute", SfmcJourneyBuilder.Jwt(SfmcJourneyBuilder.Sign(payload)));
        return (response.StatusCode, (await response.Content.ReadFromJsonAsync<JsonObject>())!);
    }

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    [Test]
    public async Task An_execute_is_answered_delivered_and_recorded_final_where_support_finds_it()
    {
        var contact = Unique("contact");
        var (status, answer) = await ExecuteAsync("sfmc-notify", contact);
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), answer.ToJsonString());
        var requestId = answer["requestId"]!.GetValue<string>();

        var view = await _env.WaitForFinalAsync(requestId);
        var row = EndToEndEnvironment.Row(view);
        Assert.That(row.GetProperty("status").GetString(), Is.EqualTo("Completed"));
        Assert.That(row.GetProperty("contract").GetString(), Is.EqualTo("sfmc"));
        Assert.That(row.GetProperty("contactKey").GetString(), Is.EqualTo(contact));
        Assert.That(row.GetProperty("journeyInstanceId").GetString(), Is.EqualTo("673b8793-4a42-4fef-8185-f10756d01c2e"));
        Assert.That(row.GetProperty("deliveryStatusCode").GetInt32(), Is.EqualTo(200));

        var delivery = _env.RequestsTo($"/sfmc-channel/{contact}").Single();
        Assert.That(delivery.RequestMessage.Headers!["Idempotency-Key"].Single(), Is.EqualTo(requestId));
        var sent = JsonNode.Parse(delivery.RequestMessage.Body!)!;
        Assert.That((sent["contact"]!.GetValue<string>(), sent["text"]!.GetValue<string>(), sent["journey"]!.GetValue<string>()),
            Is.EqualTo((contact, "Your parcel is on its way", "d86d04f8-590e-4c88-b8a7-b5d80438a286")));

        using var query = new HttpRequestMessage(HttpMethod.Get, $"/support/requests?contract=sfmc&entityId={contact}&journeyInstanceId=673b8793-4a42-4fef-8185-f10756d01c2e");
        query.Headers.Add("X-Support-Key", EndToEndEnvironment.SupportKey);
        using var found = await _env.Client.SendAsync(query);
        var items = (await found.Content.ReadFromJsonAsync<JsonObject>())!["items"]!.AsArray();
        Assert.That(items.Select(i => i!["requestId"]!.GetValue<string>()), Is.EqualTo(new[] { requestId }));
    }

    [Test]
    public async Task A_delivery_refused_for_good_ends_Failed_without_a_write_back()
    {
        var contact = Unique("refused");
        var (_, answer) = await ExecuteAsync("sfmc-notify-de", contact);
        var row = EndToEndEnvironment.Row(await _env.WaitForFinalAsync(answer["requestId"]!.GetValue<string>()));
        Assert.That((row.GetProperty("status").GetString(), row.GetProperty("deliveryStatusCode").GetInt32()), Is.EqualTo(("Failed", 422)));
        Assert.That(_env.RequestsStartingWith("/mc-rest/").Where(r => r.RequestMessage.Body!.Contains(contact)), Is.Empty);
    }

    [Test]
    public async Task Journey_Builder_retrying_one_execute_three_times_gives_one_delivery_one_row_and_the_same_answer()
    {
        var contact = Unique("retry");
        var answers = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var (status, answer) = await ExecuteAsync("sfmc-notify", contact);
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
            answers.Add(answer.ToJsonString());
        }
        Assert.That(answers.Distinct().Count(), Is.EqualTo(1));
        var requestId = JsonNode.Parse(answers[0])!["requestId"]!.GetValue<string>();
        await _env.WaitForFinalAsync(requestId);
        await Task.Delay(1500); // give the two copies behind the first the chance to misbehave (as EndToEndTests does for B2B)
        await using (var connection = new Npgsql.NpgsqlConnection(_env.Database.ConnectionString))
        {
            await connection.OpenAsync();
            await using var count = new Npgsql.NpgsqlCommand("SELECT COUNT(*) FROM action_requests WHERE contact_key = @c", connection);
            count.Parameters.AddWithValue("c", contact);
            Assert.That(await count.ExecuteScalarAsync(), Is.EqualTo(1L));
        }
        Assert.That(_env.RequestsTo($"/sfmc-channel/{contact}"), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task The_data_extension_write_back_survives_a_500_and_records_the_accepted_row()
    {
        var contact = Unique("de");
        _env.Wire.Given(Request.Create().WithPath("/mc-auth/v2/token").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200).WithBodyAsJson(new { access_token = "mc-access-token", token_type = "Bearer", expires_in = 1080 }));
        var rows = "/mc-rest/data/v1/async/dataextensions/key:NotifyLog/rows";
        _env.Wire.Given(Request.Create().WithPath(rows).UsingPost()).InScenario("de-" + contact).WillSetStateTo("failed-once")
            .RespondWith(Response.Create().WithStatusCode(500).WithBody("try later"));
        _env.Wire.Given(Request.Create().WithPath(rows).UsingPost()).InScenario("de-" + contact).WhenStateIs("failed-once")
            .RespondWith(Response.Create().WithStatusCode(202).WithBodyAsJson(new { requestId = "mc-req-1", resultMessages = Array.Empty<object>() }));

        var (status, answer) = await ExecuteAsync("sfmc-notify-de", contact);
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        var view = await _env.WaitForFinalAsync(answer["requestId"]!.GetValue<string>());
        var row = EndToEndEnvironment.Row(view);
        Assert.That(row.GetProperty("status").GetString(), Is.EqualTo("Completed"), view.ToString());
        Assert.That(row.GetProperty("callbackStatusCode").GetInt32(), Is.EqualTo(202));
        Assert.That(row.GetProperty("attemptCount").GetInt32(), Is.EqualTo(2));

        var upserts = _env.RequestsTo(rows);
        Assert.That(upserts, Has.Count.EqualTo(2));
        Assert.That(_env.RequestsTo($"/sfmc-channel/{contact}"), Has.Count.EqualTo(1), "the retry resends the row, not the delivery");
        Assert.That(upserts[1].RequestMessage.Headers!["Authorization"].Single(), Is.EqualTo("Bearer mc-access-token"));
        var item = JsonNode.Parse(upserts[1].RequestMessage.Body!)!["items"]![0]!;
        Assert.That((item["ContactKey"]!.GetValue<string>(), item["Status"]!.GetValue<string>(), item["Channel"]!.GetValue<string>()), Is.EqualTo((contact, "delivered", "webhook")));
        var token = JsonNode.Parse(_env.RequestsTo("/mc-auth/v2/token")[0].RequestMessage.Body!)!;
        Assert.That((token["grant_type"]!.GetValue<string>(), token["client_id"]!.GetValue<string>(), token["account_id"]!.GetValue<string>()),
            Is.EqualTo(("client_credentials", "sfmc-client", "5150")));
        Assert.That(view.ToString(), Does.Not.Contain(ClientSecret).And.Not.Contain("mc-access-token"));
    }
}
