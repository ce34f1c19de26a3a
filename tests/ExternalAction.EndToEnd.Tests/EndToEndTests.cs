using System.Text.Json;
using System.Text.Json.Nodes;
using ExternalAction.TestSupport;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace ExternalAction.EndToEnd.Tests;

/// <summary>
/// Submit → channel receives the rendered message → callback arrives with the right headers, ids, activityData and
/// accessorValues → the status row shows the outcome and the selected path. One per entity type, plus idempotency.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class EndToEndTests
{
    private EndToEndEnvironment _env = null!;

    [OneTimeSetUp]
    public async Task Start() => _env = await EndToEndEnvironment.StartAsync();

    [OneTimeTearDown]
    public async Task Stop() => await _env.DisposeAsync();

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    [Test]
    public async Task A_lead_is_delivered_called_back_and_recorded_with_its_path()
    {
        var token = Unique("tok");
        var callbackPath = $"/callback/{Unique("lead")}";
        var request = SampleRequests.Lead(token, _env.WireUrl + callbackPath);
        request["objectData"]!["flowStepContext"]!["scenario"] = Unique("lead-channel");
        var channelPath = $"/channel/{request["objectData"]!["flowStepContext"]!["scenario"]}";

        var requestId = await _env.AcceptedAsync("lead-scoring", request);
        var view = await _env.WaitForFinalAsync(requestId);

        var delivery = _env.RequestsTo(channelPath).Single();
        Assert.That(delivery.RequestMessage.Headers!["Idempotency-Key"].Single(), Is.EqualTo(requestId));
        Assert.That(delivery.RequestMessage.Headers!["X-Journey"].Single(), Is.EqualTo("Welcome series"));
        var sent = JsonNode.Parse(delivery.RequestMessage.Body!)!;
        Assert.That(sent["email"]!.GetValue<string>(), Is.EqualTo("jane@example.com"));
        Assert.That(sent["model"]!.GetValue<string>(), Is.EqualTo("predictive"));
        Assert.That(sent["note"]!.GetValue<string>(), Is.EqualTo("Hi Jane"));

        var callback = _env.RequestsTo(callbackPath).Single();
        var headers = callback.RequestMessage.Headers!;
        Assert.That(headers["X-Callback-Token"].Single(), Is.EqualTo(token));
        Assert.That(headers["Authorization"].Single(), Is.EqualTo($"Bearer {EndToEndEnvironment.ImsToken}"));
        Assert.That(headers["X-Api-Key"].Single(), Is.EqualTo("e2e-client"));
        Assert.That(headers["x-gw-ims-org-id"].Single(), Is.EqualTo("12345@AdobeOrg"));
        Assert.That(headers.Single(h => h.Key.Equals("X-Request-Id", StringComparison.OrdinalIgnoreCase)).Value.Single(), Is.EqualTo(requestId), string.Join(", ", headers.Keys));
        var body = JsonNode.Parse(callback.RequestMessage.Body!)!;
        Assert.That(await AdobeSchemas.ValidateAsync("CallbackRequest", body.ToJsonString()), Is.Empty);
        var element = body["objectData"]![0]!;
        Assert.That(element["activityData"]!["success"]!.GetValue<bool>(), Is.True);
        Assert.That(element["activityData"]!["modelVersion"]!.GetValue<string>(), Is.EqualTo("m-1"));
        Assert.That(element["leadData"]!["id"]!.GetValue<long>(), Is.EqualTo(12345));
        Assert.That(element["leadData"]!["mobilePhone"]!.GetValue<string>(), Is.EqualTo("+1-555-0101"));
        var accessors = element["leadData"]!["accessorValues"]!;
        Assert.That(accessors["leadScore"]!.GetValue<long>(), Is.EqualTo(91));
        Assert.That(accessors["scoreTier"]!.GetValue<string>(), Is.EqualTo("hot"));
        Assert.That(accessors["readyToBuy"]!.GetValue<bool>(), Is.True);

        var row = EndToEndEnvironment.Row(view);
        Assert.That(row.GetProperty("status").GetString(), Is.EqualTo("CallbackSent"));
        Assert.That(row.GetProperty("selectedPathId").GetString(), Is.EqualTo("hot"));
        Assert.That(row.GetProperty("deliveryStatusCode").GetInt32(), Is.EqualTo(200));
        Assert.That(view.ToString(), Does.Not.Contain(token), "the support view must never show the callback token");
        Assert.That(view.ToString(), Does.Not.Contain("admin-secret-api-key"), "admin global attribute values are masked");
    }

    [Test]
    public async Task An_account_goes_to_slack_and_is_called_back_with_account_data()
    {
        var token = Unique("tok");
        var callbackPath = $"/callback/{Unique("account")}";
        var before = _env.RequestsTo("/slack/hook").Count;
        var requestId = await _env.AcceptedAsync("account-enrichment", SampleRequests.Account(token, _env.WireUrl + callbackPath));
        var view = await _env.WaitForFinalAsync(requestId);

        var slack = _env.RequestsTo("/slack/hook").Skip(before).Where(e => e.RequestMessage.Headers!["Idempotency-Key"].Single() == requestId).Single();
        Assert.That(JsonNode.Parse(slack.RequestMessage.Body!)!["text"]!.GetValue<string>(), Is.EqualTo("Account Acme Corporation reached ABM"));

        var body = JsonNode.Parse(_env.RequestsTo(callbackPath).Single().RequestMessage.Body!)!;
        Assert.That(await AdobeSchemas.ValidateAsync("CallbackRequest", body.ToJsonString()), Is.Empty);
        var account = body["objectData"]![0]!["accountData"]!;
        Assert.That(account["id"]!.GetValue<long>(), Is.EqualTo(67890));
        Assert.That(account["accessorValues"]!["accountTier"]!.GetValue<string>(), Is.EqualTo("enterprise"));
        Assert.That(EndToEndEnvironment.Row(view).GetProperty("selectedPathId").GetString(), Is.EqualTo("enterprise"));
    }

    [Test]
    public async Task An_account_person_goes_to_twilio_and_each_person_gets_their_own_accessors()
    {
        var token = Unique("tok");
        var callbackPath = $"/callback/{Unique("ap")}";
        var requestId = await _env.AcceptedAsync("buying-group", SampleRequests.AccountPerson(token, _env.WireUrl + callbackPath));
        var view = await _env.WaitForFinalAsync(requestId);

        var sms = _env.RequestsTo("/twilio/2010-04-01/Accounts/AC123/Messages.json")
            .Single(e => e.RequestMessage.Headers!["I-Twilio-Idempotency-Token"].Single() == requestId);
        Assert.That(sms.RequestMessage.Body, Does.Contain("To=%2B15550002"));
        Assert.That(sms.RequestMessage.Headers!["Authorization"].Single(), Does.StartWith("Basic "));

        var body = JsonNode.Parse(_env.RequestsTo(callbackPath).Single().RequestMessage.Body!)!;
        Assert.That(await AdobeSchemas.ValidateAsync("CallbackRequest", body.ToJsonString()), Is.Empty);
        var people = body["objectData"]![0]!["accountPersonData"]!.AsArray();
        Assert.That(people.Select(p => p!["accountPersonRelId"]!.GetValue<long>()), Is.EqualTo(new long[] { 9001, 9002 }));
        Assert.That(people[0]!["accessorValues"]!["buyingRole"]!.GetValue<string>(), Is.EqualTo("decision-maker"));
        Assert.That(people[1]!["accessorValues"]!["buyingRole"]!.GetValue<string>(), Is.EqualTo("champion"));
        Assert.That(body["objectData"]![0]!["accountData"]?["accessorValues"], Is.Null);
        var paths = JsonNode.Parse(EndToEndEnvironment.Row(view).GetProperty("selectedPathId").GetString()!)!;
        Assert.That(paths["9001"]!.GetValue<string>(), Is.EqualTo("economic"));
        Assert.That(paths["9002"]!.GetValue<string>(), Is.EqualTo("default"));
    }

    [Test]
    public async Task The_same_token_and_entity_twice_is_delivered_and_called_back_once()
    {
        var token = Unique("tok");
        var callbackPath = $"/callback/{Unique("dup")}";
        var request = SampleRequests.Lead(token, _env.WireUrl + callbackPath);
        request["objectData"]!["flowStepContext"]!["scenario"] = Unique("dup-channel");
        var channelPath = $"/channel/{request["objectData"]!["flowStepContext"]!["scenario"]}";

        var first = await _env.AcceptedAsync("lead-scoring", request);
        var second = await _env.AcceptedAsync("lead-scoring", request);
        Assert.That(second, Is.EqualTo(first));
        await _env.WaitForFinalAsync(first);
        await Task.Delay(1500); // give a duplicate the chance to misbehave

        Assert.That(_env.RequestsTo(channelPath), Has.Count.EqualTo(1));
        Assert.That(_env.RequestsTo(callbackPath), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task The_same_token_for_two_entities_is_two_requests()
    {
        var token = Unique("tok");
        var callbackPath = $"/callback/{Unique("two")}";
        var one = SampleRequests.Lead(token, _env.WireUrl + callbackPath);
        var two = SampleRequests.Lead(token, _env.WireUrl + callbackPath);
        two["objectData"]!["objectContext"]!["leadId"] = "12346";

        var firstId = await _env.AcceptedAsync("lead-scoring", one);
        var secondId = await _env.AcceptedAsync("lead-scoring", two);
        Assert.That(secondId, Is.Not.EqualTo(firstId));
        await _env.WaitForFinalAsync(firstId);
        await _env.WaitForFinalAsync(secondId);

        var ids = _env.RequestsTo(callbackPath).Select(e => JsonNode.Parse(e.RequestMessage.Body!)!["objectData"]![0]!["leadData"]!["id"]!.GetValue<long>());
        Assert.That(ids, Is.EquivalentTo(new long[] { 12345, 12346 }));
    }

    [Test]
    public async Task Status_rows_appear_quickly_while_the_processing_queue_is_backed_up()
    {
        var scenario = Unique("slow");
        _env.Wire.Given(Request.Create().WithPath($"/channel/{scenario}").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200).WithDelay(TimeSpan.FromSeconds(4)).WithBodyAsJson(new { score = 10, tier = "cold" }));
        var ids = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            var request = SampleRequests.Lead(Unique("tok"), _env.WireUrl + $"/callback/{scenario}");
            request["objectData"]!["objectContext"]!["leadId"] = (70000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture);
            request["objectData"]!["flowStepContext"]!["scenario"] = scenario;
            ids.Add(await _env.AcceptedAsync("lead-scoring", request));
        }
        // 20 deliveries of 4 s on 8 consumer slots take > 8 s; every row must exist long before that.
        var deadline = DateTime.UtcNow.AddSeconds(2);
        var missing = ids.ToList();
        while (missing.Count > 0 && DateTime.UtcNow < deadline)
        {
            foreach (var id in missing.ToList())
                if (await _env.SupportViewAsync(id) is not null)
                    missing.Remove(id);
            await Task.Delay(100);
        }
        Assert.That(missing, Is.Empty, "rows missing 2 s after acceptance");
        foreach (var id in ids)
            await _env.WaitForFinalAsync(id, TimeSpan.FromSeconds(60));
    }
}
