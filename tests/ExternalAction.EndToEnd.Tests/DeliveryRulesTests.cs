using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ExternalAction.TestSupport;

namespace ExternalAction.EndToEnd.Tests;

/// <summary>
/// Delivery rules on the real broker and PostgreSQL (issue 12): a suppressed (by rule, by the list, by no route), a capped
/// and a deferred request each reach their own status, nothing reaches the channel, and the platform hears the verdict
/// through the callback's accessor that reads the <c>delivery</c> source.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class DeliveryRulesTests
{
    private EndToEndEnvironment _env = null!;
    private static readonly DateTimeOffset Opening = WindowOpening();

    /// <summary>A UTC window that opens about two hours from now (inside a 240-minute deadline) and not across midnight.</summary>
    private static DateTimeOffset WindowOpening()
    {
        var opening = DateTimeOffset.UtcNow.AddHours(2);
        if (opening.Hour == 23 && opening.Minute >= 29)
            opening = opening.AddMinutes(40);
        return new DateTimeOffset(opening.Year, opening.Month, opening.Day, opening.Hour, opening.Minute, 0, TimeSpan.Zero);
    }

    [OneTimeSetUp]
    public async Task Start()
    {
        _env = await StartEnvironment();
        _env.Wire.Given(WireMock.RequestBuilders.Request.Create().WithPath("/rules-hook/*").UsingPost())
            .RespondWith(WireMock.ResponseBuilders.Response.Create().WithStatusCode(200).WithBodyAsJson(new { ok = true }));
    }

    private static Task<EndToEndEnvironment> StartEnvironment() => EndToEndEnvironment.StartAsync(moreActions: wire =>
    [
        Action("rules", wire, new JsonObject
        {
            ["routes"] = new JsonArray(new JsonObject
            {
                ["name"] = "hook",
                ["when"] = new JsonArray(new JsonObject { ["field"] = "lead.email", ["operator"] = "exists" }),
                ["channel"] = new JsonObject { ["type"] = "webhook", ["url"] = wire + "/rules-hook/{{ lead.id }}", ["body"] = JsonNode.Parse("""{ "email": "{{ lead.email }}" }"""), ["address"] = "{{ lead.email }}", ["addressKind"] = "email" },
            }),
            ["suppression"] = new JsonObject { ["rules"] = new JsonArray(new JsonObject { ["name"] = "unsubscribed", ["when"] = new JsonArray(new JsonObject { ["field"] = "lead.unsubscribed", ["operator"] = "is", ["values"] = new JsonArray("true") }) }) },
            ["caps"] = new JsonArray(new JsonObject { ["name"] = "one-a-day", ["max"] = 1, ["windowHours"] = 24 }),
        }),
        Action("rules-window", wire, new JsonObject
        {
            ["sendWindow"] = new JsonObject { ["from"] = Opening.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture), ["to"] = Opening.AddMinutes(30).ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture), ["defaultZone"] = "UTC" },
        }),
    ]);

    [OneTimeTearDown]
    public async Task Stop() => await _env.DisposeAsync();

    private static JsonObject Action(string name, string wire, JsonObject rules) => new()
    {
        ["name"] = name,
        ["serviceDefinitionFile"] = Path.Combine(Fixtures.Root, "adobe", "lead-scoring.json"),
        ["channel"] = new JsonObject { ["type"] = "webhook", ["url"] = wire + "/rules-hook/{{ lead.id }}" },
        ["rules"] = rules,
        ["accessors"] = new JsonObject
        {
            ["scoreTier"] = new JsonObject { ["source"] = "delivery", ["path"] = "status" },
            ["leadScore"] = new JsonObject { ["source"] = "constant", ["value"] = 50 },
        },
    };

    private static string LeadId() => Random.Shared.NextInt64(10_000_000, 99_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private JsonObject Lead(string leadId, JsonObject leadData, out string callbackPath, int timeoutMinutes = 60)
    {
        callbackPath = $"/callback/rules-{Guid.NewGuid():N}";
        var request = SampleRequests.Lead($"tok-{Guid.NewGuid():N}", _env.WireUrl + callbackPath);
        request["objectData"]!["objectContext"]!["leadId"] = leadId;
        request["objectData"]!["objectContext"]!["leadData"] = leadData;
        request["actionConfig"]!["timeout"] = timeoutMinutes;
        return request;
    }

    private string? CallbackVerdict(string callbackPath) =>
        JsonNode.Parse(_env.RequestsTo(callbackPath).Single().RequestMessage.Body!)!["objectData"]![0]!["leadData"]!["accessorValues"]!["scoreTier"]!.GetValue<string>();

    [Test]
    public async Task A_request_matching_a_suppression_rule_ends_Suppressed_and_the_callback_says_so()
    {
        var lead = LeadId();
        var id = await _env.AcceptedAsync("rules", Lead(lead, new() { ["email"] = "gone@example.com", ["unsubscribed"] = true }, out var callback));
        var row = EndToEndEnvironment.Row(await _env.WaitForFinalAsync(id));

        Assert.That(row.GetProperty("status").GetString(), Is.EqualTo("Suppressed"));
        Assert.That(row.GetProperty("lastError").GetString(), Does.Contain("'unsubscribed'"));
        Assert.That(row.GetProperty("route").GetString(), Is.EqualTo("hook"));
        Assert.That(_env.RequestsTo($"/rules-hook/{lead}"), Is.Empty, "nothing reached the channel");
        Assert.That(CallbackVerdict(callback), Is.EqualTo("suppressed"));
    }

    [Test]
    public async Task A_request_without_a_route_ends_Suppressed_with_why()
    {
        var id = await _env.AcceptedAsync("rules", Lead(LeadId(), new() { ["firstName"] = "NoMail" }, out var callback));
        var row = EndToEndEnvironment.Row(await _env.WaitForFinalAsync(id));
        Assert.That(row.GetProperty("status").GetString(), Is.EqualTo("Suppressed"));
        Assert.That(row.GetProperty("lastError").GetString(), Does.Contain("no route matched"));
        Assert.That(CallbackVerdict(callback), Is.EqualTo("suppressed"));
    }

    [Test]
    public async Task An_address_an_operator_put_on_the_suppression_list_is_not_delivered_to()
    {
        var email = $"Listed.{Guid.NewGuid():N}@Example.com";
        using (var add = new HttpRequestMessage(HttpMethod.Post, "/support/suppressions") { Content = JsonContent.Create(new { kind = "email", address = email, reason = "complained" }) })
        {
            add.Headers.Add("X-Support-Key", EndToEndEnvironment.OperatorKey);
            using var added = await _env.Client.SendAsync(add);
            Assert.That((int)added.StatusCode, Is.EqualTo(200), await added.Content.ReadAsStringAsync());
        }

        var lead = LeadId();
        var id = await _env.AcceptedAsync("rules", Lead(lead, new() { ["email"] = email.ToUpperInvariant() }, out var callback));
        var row = EndToEndEnvironment.Row(await _env.WaitForFinalAsync(id));
        Assert.That(row.GetProperty("status").GetString(), Is.EqualTo("Suppressed"));
        Assert.That(row.GetProperty("lastError").GetString(), Does.Contain("suppression list").And.Contain("alice").And.Contain("complained"));
        Assert.That(_env.RequestsTo($"/rules-hook/{lead}"), Is.Empty);
        Assert.That(CallbackVerdict(callback), Is.EqualTo("suppressed"));
    }

    [Test]
    public async Task The_second_request_to_one_contact_within_the_cap_s_window_ends_Capped()
    {
        var lead = LeadId();
        var first = await _env.AcceptedAsync("rules", Lead(lead, new() { ["email"] = $"cap-{lead}@example.com" }, out var firstCallback));
        Assert.That(EndToEndEnvironment.StatusOf(await _env.WaitForFinalAsync(first)), Is.EqualTo("CallbackSent"));
        Assert.That(_env.RequestsTo($"/rules-hook/{lead}"), Has.Count.EqualTo(1), "the first is delivered");
        Assert.That(CallbackVerdict(firstCallback), Is.EqualTo("delivered"));

        var second = await _env.AcceptedAsync("rules", Lead(lead, new() { ["email"] = $"cap-{lead}@example.com" }, out var secondCallback));
        var row = EndToEndEnvironment.Row(await _env.WaitForFinalAsync(second));
        Assert.That(row.GetProperty("status").GetString(), Is.EqualTo("Capped"));
        Assert.That(row.GetProperty("lastError").GetString(), Does.Contain("'one-a-day' is full: 1 of 1"));
        Assert.That(_env.RequestsTo($"/rules-hook/{lead}"), Has.Count.EqualTo(1), "one delivery in all");
        Assert.That(CallbackVerdict(secondCallback), Is.EqualTo("capped"));
    }

    [Test]
    public async Task Outside_the_send_window_a_request_waits_Deferred_until_it_opens_and_ends_with_the_reason_when_that_is_after_the_deadline()
    {
        var lead = LeadId();
        var deferred = await _env.AcceptedAsync("rules-window", Lead(lead, new() { ["email"] = "night@example.com" }, out var callback, timeoutMinutes: 240));
        JsonElement row = default;
        for (var i = 0; i < 100; i++)
        {
            if (await _env.SupportViewAsync(deferred) is { } view && (row = EndToEndEnvironment.Row(view)).GetProperty("status").GetString() == "Deferred")
                break;
            await Task.Delay(100);
        }
        Assert.That(row.GetProperty("status").GetString(), Is.EqualTo("Deferred"), row.ToString());
        Assert.That(row.GetProperty("nextAttemptAt").GetDateTimeOffset(), Is.EqualTo(Opening));
        Assert.That(_env.RequestsTo($"/rules-hook/{lead}"), Is.Empty);
        Assert.That(_env.RequestsTo(callback), Is.Empty, "the platform waits: nothing is reported before the window opens");

        var late = await _env.AcceptedAsync("rules-window", Lead(LeadId(), new() { ["email"] = "late@example.com" }, out _, timeoutMinutes: 30));
        var ended = EndToEndEnvironment.Row(await _env.WaitForFinalAsync(late));
        Assert.That(ended.GetProperty("status").GetString(), Is.EqualTo("TimedOut"));
        Assert.That(ended.GetProperty("lastError").GetString(), Does.Contain("outside the send window").And.Contain("after the deadline"));
    }
}
