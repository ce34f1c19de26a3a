using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ExternalAction.TestSupport;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace ExternalAction.EndToEnd.Tests;

/// <summary>
/// The sample AJO custom actions of the embedded default (src/Api/actions.json) on the real broker and PostgreSQL, with
/// WireMock as Twilio, Slack, the logistics API, the rewards and recommendation services and a status webhook: each
/// call answered at once, delivered asynchronously, its row final and findable by the declared identity.
/// </summary>
/// <remarks>Run on classic queues (the default) and on quorum queues, which README tells AJO deployments to use (the
/// answer's tail is the broker's confirm: docs/benchmarks.md).</remarks>
[TestFixture(false)]
[TestFixture(true)]
[NonParallelizable]
public sealed class AjoEndToEndTests(bool quorumQueues)
{
    private const string StatusSecret = "status-hmac-key-value";
    private const string LogisticsToken = "logistics-token-value";
    private const string RewardsKey = "rewards-api-key-value";
    private EndToEndEnvironment _env = null!;

    [OneTimeSetUp]
    public async Task Start() => _env = await EndToEndEnvironment.StartAsync(settings =>
    {
        if (quorumQueues)
            settings["ExternalAction:RabbitMq:QuorumQueues"] = "true";
        settings["Secrets:sample-twilio-auth-token"] = EndToEndEnvironment.TwilioToken;
        settings["Secrets:sample-logistics-token"] = LogisticsToken;
        settings["Secrets:sample-rewards-api-key"] = RewardsKey;
        settings["Secrets:status-hmac"] = StatusSecret;
        // The Slack URL is a secret (the Api's appsettings.json holds a placeholder for the embedded default): WireMock's.
        var wire = settings["ExternalAction:Callback:ImsTokenUrl"]![..^"/ims/token".Length];
        settings["Secrets:sample-slack-webhook-url"] = wire + "/slack/ajo";
    }, actions: SampleActions);

    [OneTimeTearDown]
    public async Task Stop() => await _env.DisposeAsync();

    /// <summary>
    /// The AJO samples as shipped, their third-party hosts pointed at WireMock, plus the dispatch sample with a status
    /// webhook. Budgets are raised to 3 s here: a cold first lookup on a busy CI machine may pass 300 ms (the budget
    /// itself is DeciderTests' subject).
    /// </summary>
    private static string SampleActions(string wire)
    {
        var file = Path.Combine(RabbitVirtualHost.RepositoryRoot(), "src", "Api", "actions.json");
        var text = File.ReadAllText(file)
            .Replace("https://api.twilio.com", wire + "/twilio", StringComparison.Ordinal)
            .Replace("https://logistics.example.com", wire + "/logistics", StringComparison.Ordinal)
            .Replace("https://rewards.example.com", wire + "/rewards", StringComparison.Ordinal)
            .Replace("https://recommendations.example.com", wire + "/recs", StringComparison.Ordinal);
        var root = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })!;
        var actions = new JsonArray();
        foreach (var action in root["actions"]!.AsArray().Where(a => a!["ajo"] is not null))
        {
            var copy = action!.DeepClone();
            if (copy["ajo"]!["budgetMilliseconds"] is not null)
                copy["ajo"]!["budgetMilliseconds"] = 3000;
            actions.Add(copy);
            if (copy["name"]!.GetValue<string>() == "ajo-dispatch")
            {
                var tracked = copy.DeepClone();
                tracked["name"] = "ajo-dispatch-tracked";
                tracked["ajo"]!["statusWebhook"] = new JsonObject { ["url"] = wire + "/status", ["secret"] = "status-hmac" };
                actions.Add(tracked);
            }
        }
        return new JsonObject { ["actions"] = actions }.ToJsonString();
    }

    private async Task<(int Status, JsonObject Body)> InvokeAsync(string action, object payload)
    {
        using var response = await _env.Client.PostAsJsonAsync($"/actions/{action}/ajo/invoke", payload);
        return ((int)response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject());
    }

    private static string Text(JsonElement row, string name) => row.GetProperty(name).ToString();

    [Test]
    public async Task The_processing_queue_is_of_the_configured_type()
    {
        // A declaration with the other type is refused for exactly that argument: the queue is of the configured type.
        var factory = new ConnectionFactory { Uri = new Uri(_env.VirtualHost.Url) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueueDeclarePassiveAsync("externalaction-process");
        var other = new Dictionary<string, object?> { ["x-queue-type"] = quorumQueues ? "classic" : "quorum" };
        var refused = Assert.ThrowsAsync<OperationInterruptedException>(() =>
            channel.QueueDeclareAsync("externalaction-process", durable: true, exclusive: false, autoDelete: false, arguments: other));
        Assert.That(refused!.ShutdownReason?.ReplyCode, Is.EqualTo(406));
        Assert.That(refused.ShutdownReason?.ReplyText, Does.Contain("x-queue-type"));
    }

    [Test]
    public async Task The_SMS_sample_sends_through_Twilio_and_completes()
    {
        _env.Wire.Given(Request.Create().WithPath("/twilio/2010-04-01/Accounts/AC00000000000000000000000000000000/Messages.json").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(201).WithBodyAsJson(new { sid = "SM1", status = "queued" }));

        var (status, body) = await InvokeAsync("ajo-sms", new { to = "+33612345678", message = "Your order shipped", profileId = "p-sms", journeyVersionId = "jv-9", stepId = "send-sms", channel = "sms" });
        Assert.That(status, Is.EqualTo(200), body.ToJsonString());
        Assert.That(body["status"]!.GetValue<string>(), Is.EqualTo("accepted"));
        var row = EndToEndEnvironment.Row(await _env.WaitForFinalAsync(body["requestId"]!.GetValue<string>()));

        var sent = _env.RequestsStartingWith("/twilio/").Single();
        Assert.Multiple(() =>
        {
            Assert.That(Text(row, "status"), Is.EqualTo("Completed"), row.ToString());
            Assert.That(Text(row, "contract"), Is.EqualTo("ajo-custom-action"));
            Assert.That(Text(row, "contactKey"), Is.EqualTo("p-sms"));
            Assert.That(Text(row, "journeyInstanceId"), Is.EqualTo("jv-9"));
            Assert.That(Text(row, "activityId"), Is.EqualTo("send-sms"));
            Assert.That(sent.RequestMessage.Body, Does.Contain("To=%2B33612345678").And.Contain("Body=Your+order+shipped"));
            Assert.That(sent.RequestMessage.Headers!["Authorization"].Single(),
                Is.EqualTo("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("AC00000000000000000000000000000000:" + EndToEndEnvironment.TwilioToken))));
        });
    }

    private static object Dispatch(string orderId) => new
    {
        orderId,
        customerId = "c-77",
        items = new object[] { new { sku = "tv-55", quantity = 1, unitPrice = 499.99m }, new { sku = "hdmi", quantity = 2, unitPrice = 9.5m } },
        priority = "standard",
    };

    [Test]
    public async Task The_dispatch_sample_keeps_items_as_a_json_array()
    {
        _env.Wire.Given(Request.Create().WithPath("/logistics/dispatch/orders").UsingPost().WithBody(b => b!.Contains("\"o-items\"")))
            .RespondWith(Response.Create().WithStatusCode(202).WithBodyAsJson(new { accepted = true }));

        var (status, body) = await InvokeAsync("ajo-dispatch", Dispatch("o-items"));
        Assert.That(status, Is.EqualTo(200), body.ToJsonString());
        var row = EndToEndEnvironment.Row(await _env.WaitForFinalAsync(body["requestId"]!.GetValue<string>()));

        var sent = _env.RequestsTo("/logistics/dispatch/orders").Single(e => e.RequestMessage.Body!.Contains("\"o-items\""));
        var delivered = JsonNode.Parse(sent.RequestMessage.Body!)!;
        Assert.Multiple(() =>
        {
            Assert.That(Text(row, "status"), Is.EqualTo("Completed"), row.ToString());
            Assert.That(delivered["items"]!.ToJsonString(), Is.EqualTo("""[{"sku":"tv-55","quantity":1,"unitPrice":499.99},{"sku":"hdmi","quantity":2,"unitPrice":9.5}]"""));
            Assert.That(delivered["priority"]!.GetValue<string>(), Is.EqualTo("standard"));
            Assert.That(sent.RequestMessage.Headers!["Authorization"].Single(), Is.EqualTo("Bearer " + LogisticsToken));
            Assert.That(sent.RequestMessage.Headers!["Idempotency-Key"].Single(), Is.EqualTo(body["requestId"]!.GetValue<string>()));
        });
    }

    [Test]
    public async Task The_VIP_sample_answers_the_lookup_fields_for_the_journey_to_branch_on()
    {
        _env.Wire.Given(Request.Create().WithPath("/rewards/rewards/vip-status").WithParam("customerId", "c-gold").UsingGet().WithHeader("X-Api-Key", RewardsKey))
            .RespondWith(Response.Create().WithBodyAsJson(new { customerID = "c-gold", status = "gold", points = 1290 }));

        var (status, body) = await InvokeAsync("ajo-vip", new { customerId = "c-gold", journeyVersionId = "jv-1", stepId = "vip-check" });
        Assert.That(status, Is.EqualTo(200), body.ToJsonString());
        var row = EndToEndEnvironment.Row(await _env.WaitForFinalAsync(body["requestId"]!.GetValue<string>()));

        var payload = JsonNode.Parse(Text(row, "requestPayload"))!;
        Assert.Multiple(() =>
        {
            Assert.That(body["status"]!.GetValue<string>(), Is.EqualTo("gold"));
            Assert.That(body["points"]!.GetValue<int>(), Is.EqualTo(1290));
            Assert.That(Text(row, "status"), Is.EqualTo("Completed"), row.ToString());
            Assert.That(payload["decision"]!["source"]!.GetValue<string>(), Is.EqualTo("lookup"));
            Assert.That(payload["response"]!["status"]!.GetValue<string>(), Is.EqualTo("gold"));
        });
    }

    [Test]
    public async Task The_recommendations_sample_answers_its_fallback_list_when_the_lookup_fails()
    {
        _env.Wire.Given(Request.Create().WithPath("/recs/recommendation").WithParam("userId", "u-down").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(500).WithBody("down"));
        _env.Wire.Given(Request.Create().WithPath("/recs/recommendation").WithParam("userId", "u-up").UsingGet())
            .RespondWith(Response.Create().WithBodyAsJson(new { items = new[] { "sku-9", "sku-4" }, model = "cf-2" }));

        var (_, down) = await InvokeAsync("ajo-recommendations", new { userId = "u-down", journeyVersionId = "jv-1", stepId = "recs" });
        var (_, up) = await InvokeAsync("ajo-recommendations", new { userId = "u-up", journeyVersionId = "jv-1", stepId = "recs" });
        var row = EndToEndEnvironment.Row(await _env.WaitForFinalAsync(down["requestId"]!.GetValue<string>()));

        Assert.Multiple(() =>
        {
            Assert.That(down["products"]!.ToJsonString(), Is.EqualTo("""["bestseller-1","bestseller-2","bestseller-3"]"""), down.ToJsonString());
            Assert.That(down["source"]!.GetValue<string>(), Is.EqualTo("fallback"));
            Assert.That(up["products"]!.ToJsonString(), Is.EqualTo("""["sku-9","sku-4"]"""), up.ToJsonString());
            Assert.That(JsonNode.Parse(Text(row, "requestPayload"))!["decision"]!["reason"]!.GetValue<string>(), Does.Contain("answered 500"));
        });
    }

    [Test]
    public async Task The_Slack_sample_alerts_with_the_priority_its_rules_decided()
    {
        _env.Wire.Given(Request.Create().WithPath("/slack/ajo").UsingPost()).RespondWith(Response.Create().WithStatusCode(200).WithBody("ok"));

        var (status, body) = await InvokeAsync("ajo-vip-exit-alert", new
        {
            profileId = "p-whale", firstName = "Ada", lifetimeValue = 25000.5m, journeyName = "Winback", exitReason = "unsubscribed", exitedAt = "2026-12-01T09:30:00Z",
        });
        Assert.That(status, Is.EqualTo(200), body.ToJsonString());
        var row = EndToEndEnvironment.Row(await _env.WaitForFinalAsync(body["requestId"]!.GetValue<string>()));

        var text = JsonNode.Parse(_env.RequestsTo("/slack/ajo").Single().RequestMessage.Body!)!["text"]!.GetValue<string>();
        Assert.Multiple(() =>
        {
            Assert.That(body["priority"]!.GetValue<string>(), Is.EqualTo("urgent"));
            Assert.That(Text(row, "status"), Is.EqualTo("Completed"), row.ToString());
            Assert.That(text, Is.EqualTo(":rotating_light: High-value customer Ada (lifetime value 25000.5) left journey Winback: unsubscribed (urgent)"));
        });
    }

    [Test]
    public async Task AJOs_retries_of_one_call_deliver_once_and_answer_alike()
    {
        _env.Wire.Given(Request.Create().WithPath("/logistics/dispatch/orders").UsingPost().WithBody(b => b!.Contains("\"o-retried\"")))
            .RespondWith(Response.Create().WithStatusCode(202).WithBodyAsJson(new { accepted = true }));

        var concurrent = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => InvokeAsync("ajo-dispatch", Dispatch("o-retried"))));
        var later = new List<(int Status, JsonObject Body)>();
        for (var i = 0; i < 2; i++)
            later.Add(await InvokeAsync("ajo-dispatch", Dispatch("o-retried")));
        var answers = concurrent.Concat(later).ToList();
        var requestId = answers[0].Body["requestId"]!.GetValue<string>();
        var view = await _env.WaitForFinalAsync(requestId);
        await Task.Delay(1500); // give the three duplicate messages the chance to misbehave, as the B2B duplicate test does

        Assert.Multiple(() =>
        {
            Assert.That(answers.Select(a => a.Status), Is.All.EqualTo(200));
            Assert.That(answers.Select(a => a.Body.ToJsonString()).Distinct().ToList(), Has.Count.EqualTo(1));
            Assert.That(_env.RequestsTo("/logistics/dispatch/orders").Count(e => e.RequestMessage.Body!.Contains("\"o-retried\"")), Is.EqualTo(1));
            Assert.That(EndToEndEnvironment.StatusOf(view), Is.EqualTo("Completed"));
        });
    }

    [Test]
    public async Task The_status_webhook_gets_the_signed_outcome_after_a_500_then_a_200()
    {
        _env.Wire.Given(Request.Create().WithPath("/logistics/dispatch/orders").UsingPost().WithBody(b => b!.Contains("\"o-tracked\"")))
            .RespondWith(Response.Create().WithStatusCode(201).WithBodyAsJson(new { accepted = true }));
        _env.Wire.Given(Request.Create().WithPath("/status").UsingPost()).InScenario("status").WillSetStateTo("failed once")
            .RespondWith(Response.Create().WithStatusCode(500));
        _env.Wire.Given(Request.Create().WithPath("/status").UsingPost()).InScenario("status").WhenStateIs("failed once")
            .RespondWith(Response.Create().WithStatusCode(200));

        var (status, body) = await InvokeAsync("ajo-dispatch-tracked", Dispatch("o-tracked"));
        Assert.That(status, Is.EqualTo(200), body.ToJsonString());
        var requestId = body["requestId"]!.GetValue<string>();
        var row = EndToEndEnvironment.Row(await _env.WaitForFinalAsync(requestId));

        var reports = _env.RequestsTo("/status").Where(e => e.RequestMessage.Body!.Contains(requestId)).ToList();
        var report = reports[^1].RequestMessage;
        var outcome = JsonNode.Parse(report.Body!)!;
        var timestamp = report.Headers!["X-Signature-Timestamp"].Single();
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(StatusSecret), Encoding.UTF8.GetBytes($"{timestamp}.{report.Body}")));
        Assert.Multiple(() =>
        {
            Assert.That(Text(row, "status"), Is.EqualTo("Completed"), row.ToString());
            Assert.That(Text(row, "callbackStatusCode"), Is.EqualTo("200"));
            Assert.That(reports, Has.Count.EqualTo(2));
            Assert.That(reports[0].RequestMessage.Body, Is.EqualTo(report.Body), "a retry sends the same outcome");
            Assert.That(report.Headers!["X-Signature"].Single(), Is.EqualTo(expected));
            Assert.That(outcome["requestId"]!.GetValue<string>(), Is.EqualTo(requestId));
            Assert.That(outcome["status"]!.GetValue<string>(), Is.EqualTo("Completed"));
            Assert.That(outcome["channel"]!["statusCode"]!.GetValue<int>(), Is.EqualTo(201));
            Assert.That(outcome["identity"]!["profile"]!.GetValue<string>(), Is.EqualTo("c-77"));
            Assert.That(outcome["receivedAt"], Is.Not.Null);
            Assert.That(outcome["deliveredAt"], Is.Not.Null);
            Assert.That(report.Body, Does.Not.Contain(LogisticsToken).And.Not.Contain(StatusSecret).And.Not.Contain("tv-55"));
        });
    }

    [Test]
    public async Task A_delivery_refused_for_good_ends_Failed_and_is_reported()
    {
        _env.Wire.Given(Request.Create().WithPath("/logistics/dispatch/orders").UsingPost().WithBody(b => b!.Contains("\"o-refused\"")))
            .RespondWith(Response.Create().WithStatusCode(422).WithBodyAsJson(new { error = "unknown sku" }));
        _env.Wire.Given(Request.Create().WithPath("/status").UsingPost().WithBody(b => b!.Contains("\"Failed\""))).AtPriority(1)
            .RespondWith(Response.Create().WithStatusCode(204));

        var (_, body) = await InvokeAsync("ajo-dispatch-tracked", Dispatch("o-refused"));
        var requestId = body["requestId"]!.GetValue<string>();
        var row = EndToEndEnvironment.Row(await _env.WaitForFinalAsync(requestId));

        var outcome = JsonNode.Parse(_env.RequestsTo("/status").Single(e => e.RequestMessage.Body!.Contains(requestId)).RequestMessage.Body!)!;
        Assert.Multiple(() =>
        {
            Assert.That(Text(row, "status"), Is.EqualTo("Failed"), row.ToString());
            Assert.That(Text(row, "callbackStatusCode"), Is.EqualTo("204"));
            Assert.That(outcome["status"]!.GetValue<string>(), Is.EqualTo("Failed"));
            Assert.That(outcome["channel"]!["statusCode"]!.GetValue<int>(), Is.EqualTo(422));
        });
    }
}
