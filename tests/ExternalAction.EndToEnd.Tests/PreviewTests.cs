using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ExternalAction.TestSupport;
using WireMock.Logging;

namespace ExternalAction.EndToEnd.Tests;

/// <summary>
/// The preview on a whole deployment (issue 12 item 5): the Api-only host previews a request (rules read from
/// PostgreSQL, nothing sent, nothing stored), then the same request goes through intake, RabbitMQ and the Processor for
/// real, and what WireMock received is compared with the preview byte for byte.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class PreviewTests
{
    private const string ChannelToken = "preview-channel-token-0123456789";
    private EndToEndEnvironment _env = null!;
    private static readonly DateTimeOffset Opening = WindowOpening();

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
        _env = await EndToEndEnvironment.StartAsync(
            tweak: s => s["Secrets:preview-token"] = ChannelToken,
            moreActions: wire =>
            [
                new JsonObject
                {
                    ["name"] = "preview-send",
                    ["serviceDefinitionFile"] = Path.Combine(Fixtures.Root, "adobe", "lead-scoring.json"),
                    ["channel"] = new JsonObject
                    {
                        ["type"] = "webhook",
                        ["url"] = wire + "/preview-hook/{{ lead.id }}?journey={{ journey.name }}",
                        ["headers"] = new JsonObject { ["X-Journey"] = "{{ journey.name }}", ["X-Lead"] = "{{ lead.id }}" },
                        ["body"] = JsonNode.Parse("""{ "email": "{{ lead.email }}", "name": "{{ lead.firstName }} é", "model": "{{ flow.scoringModel }}", "n": 3 }"""),
                        ["auth"] = new JsonObject { ["type"] = "bearer", ["secret"] = "preview-token" },
                        ["timeoutSeconds"] = 5,
                    },
                    ["rules"] = new JsonObject
                    {
                        ["suppression"] = new JsonObject { ["rules"] = new JsonArray(new JsonObject { ["name"] = "unsubscribed", ["when"] = new JsonArray(new JsonObject { ["field"] = "lead.unsubscribed", ["operator"] = "is", ["values"] = new JsonArray("true") }) }) },
                        ["caps"] = new JsonArray(new JsonObject { ["name"] = "one-a-day", ["max"] = 1, ["windowHours"] = 24 }),
                    },
                    ["accessors"] = new JsonObject
                    {
                        ["leadScore"] = new JsonObject { ["source"] = "response", ["path"] = "$.score" },
                        ["scoreTier"] = new JsonObject { ["source"] = "delivery", ["path"] = "status" },
                    },
                },
                new JsonObject
                {
                    ["name"] = "preview-window",
                    ["serviceDefinitionFile"] = Path.Combine(Fixtures.Root, "adobe", "lead-scoring.json"),
                    ["channel"] = new JsonObject { ["type"] = "webhook", ["url"] = wire + "/preview-hook/{{ lead.id }}" },
                    ["rules"] = new JsonObject
                    {
                        // Closed now, whatever the time: a window that opens in two hours (not across midnight).
                        ["sendWindow"] = new JsonObject
                        {
                            ["from"] = Opening.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture),
                            ["to"] = Opening.AddMinutes(30).ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture),
                            ["defaultZone"] = "UTC",
                        },
                    },
                },
            ]);
        _env.Wire.Given(WireMock.RequestBuilders.Request.Create().WithPath("/preview-hook/*").UsingPost())
            .RespondWith(WireMock.ResponseBuilders.Response.Create().WithStatusCode(200).WithBodyAsJson(new { score = 91 }));
    }

    [OneTimeTearDown]
    public async Task Stop() => await _env.DisposeAsync();

    private static string LeadId() => Random.Shared.NextInt64(10_000_000, 99_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private JsonObject Lead(string leadId, JsonObject leadData, out string callbackPath)
    {
        callbackPath = $"/callback/preview-{Guid.NewGuid():N}";
        var request = SampleRequests.Lead($"tok-{Guid.NewGuid():N}", _env.WireUrl + callbackPath);
        request["objectData"]!["objectContext"]!["leadId"] = leadId;
        request["objectData"]!["objectContext"]!["leadData"] = leadData;
        return request;
    }

    private async Task<JsonElement> PreviewAsync(string action, JsonObject request, string? supportKey = EndToEndEnvironment.SupportKey, object? channelResponse = null)
    {
        var body = new JsonObject { ["request"] = request.DeepClone() };
        if (channelResponse is not null)
            body["channelResponse"] = JsonSerializer.SerializeToNode(channelResponse);
        using var message = new HttpRequestMessage(HttpMethod.Post, $"/actions/{action}/preview") { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        if (supportKey is not null)
            message.Headers.Add("X-Support-Key", supportKey);
        using var response = await _env.Client.SendAsync(message);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(200), text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    internal static Dictionary<string, string> Headers(JsonElement request) =>
        request.GetProperty("headers").EnumerateArray().ToDictionary(h => h.GetProperty("name").GetString()!, h => h.GetProperty("value").GetString()!, StringComparer.OrdinalIgnoreCase);

    internal static Dictionary<string, string> Headers(ILogEntry received) =>
        received.RequestMessage.Headers!.ToDictionary(h => h.Key, h => string.Join(", ", h.Value), StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Method, URL, every header and the body's bytes must be what WireMock received, except the masked credentials
    /// (compared as "scheme ***" against the real value) and the headers named in <paramref name="differing"/>.
    /// </summary>
    internal static void AssertSame(JsonElement previewed, ILogEntry received, IReadOnlyDictionary<string, string> masked, params string[] differing) =>
        AssertSame(previewed, received, masked, compareBody: true, differing);

    /// <param name="compareBody">False for a body that holds the send's own times (the caller compares it field by field).</param>
    internal static void AssertSame(JsonElement previewed, ILogEntry received, IReadOnlyDictionary<string, string> masked, bool compareBody, params string[] differing)
    {
        var wire = received.RequestMessage;
        Assert.That(previewed.GetProperty("method").GetString(), Is.EqualTo(wire.Method));
        // WireMock logs the URL decoded; as a Uri both are the same escaped text.
        Assert.That(previewed.GetProperty("url").GetString(), Is.EqualTo(new Uri(wire.AbsoluteUrl).AbsoluteUri));
        var expected = Headers(received);
        var shown = Headers(previewed);
        foreach (var name in differing)
        {
            expected.Remove(name);
            shown.Remove(name);
        }
        foreach (var (name, real) in masked)
        {
            Assert.That(expected.Remove(name, out var sent), Is.True, $"{name} was sent");
            Assert.That(sent, Is.EqualTo(real), $"{name} as sent");
            Assert.That(shown.Remove(name, out var value), Is.True, $"{name} is previewed");
            Assert.That(value, Does.EndWith("***").And.Not.Contain(real.Split(' ')[^1]), $"{name} is masked in the preview");
        }
        Assert.That(shown, Is.EquivalentTo(expected), "every other header, name and value");
        if (!compareBody)
            return;
        var body = previewed.GetProperty("body").GetString()!;
        Assert.That(Encoding.UTF8.GetBytes(body), Is.EqualTo(wire.BodyAsBytes), "the body, byte for byte");
    }

    [Test]
    public async Task Preview_returns_byte_for_byte_the_request_that_a_real_send_then_makes()
    {
        var lead = LeadId();
        var request = Lead(lead, new() { ["email"] = $"jane-{lead}@example.com", ["firstName"] = "Jane" }, out var callback);

        var preview = await PreviewAsync("preview-send", request);
        Assert.That(_env.RequestsTo($"/preview-hook/{lead}"), Is.Empty, "a preview sends nothing to the channel");
        Assert.That(_env.RequestsTo(callback), Is.Empty, "nor to the platform");
        var requestId = preview.GetProperty("requestId").GetString()!;
        Assert.That(await _env.SupportViewAsync(requestId), Is.Null, "and stores no row");
        Assert.That(preview.GetProperty("rules").GetProperty("verdict").GetString(), Is.EqualTo("deliver"));
        Assert.That(preview.GetProperty("outcome").GetProperty("status").GetString(), Is.EqualTo("CallbackSent"));
        Assert.That(preview.ToString(), Does.Not.Contain(ChannelToken).And.Not.Contain(EndToEndEnvironment.ImsToken).And.Not.Contain(request["token"]!.GetValue<string>()),
            "no secret in the preview");

        var id = await _env.AcceptedAsync("preview-send", request);
        Assert.That(id, Is.EqualTo(requestId), "the preview names the id intake gives");
        Assert.That(EndToEndEnvironment.StatusOf(await _env.WaitForFinalAsync(id)), Is.EqualTo("CallbackSent"));

        var steps = preview.GetProperty("steps").EnumerateArray().ToList();
        Assert.That(steps.Select(s => s.GetProperty("step").GetString()), Is.EqualTo(new[] { "delivery", "report" }));
        // Idempotency-Key (the request id) and the URL's rendered query compare equal: nothing differs per attempt here.
        AssertSame(steps[0].GetProperty("request"), _env.RequestsTo($"/preview-hook/{lead}").Single(),
            new Dictionary<string, string> { ["Authorization"] = "Bearer " + ChannelToken });
        // The callback: the token the platform gave and the IMS token are credentials; the body differs only in what the
        // channel answered (the preview's simulated {} against WireMock's score), so compare it with the matching answer below.
        var sentCallback = _env.RequestsTo(callback).Single();
        var callbackPreview = steps[1].GetProperty("request");
        Assert.That(steps[1].GetProperty("target").GetString(), Is.EqualTo("callback"));
        var shown = Headers(callbackPreview);
        Assert.That(shown["X-Callback-Token"], Is.EqualTo("***"));
        Assert.That(shown["Authorization"], Is.EqualTo("Bearer ***"));
        Assert.That(Headers(sentCallback)["Authorization"], Is.EqualTo("Bearer " + EndToEndEnvironment.ImsToken));
    }

    [Test]
    public async Task Preview_with_the_channel_s_real_answer_gives_the_callback_the_platform_then_receives_byte_for_byte()
    {
        var lead = LeadId();
        var request = Lead(lead, new() { ["email"] = $"joe-{lead}@example.com", ["firstName"] = "Joe" }, out var callback);
        var preview = await PreviewAsync("preview-send", request, supportKey: null, channelResponse: new { statusCode = 200, body = new { score = 91 } });
        Assert.That(preview.GetProperty("accessorValues").GetProperty("leadScore").GetInt32(), Is.EqualTo(91));
        Assert.That(preview.GetProperty("accessorValues").GetProperty("scoreTier").GetString(), Is.EqualTo("delivered"));
        Assert.That(preview.GetProperty("selectedPath").GetString(), Is.EqualTo("hot"));

        var id = await _env.AcceptedAsync("preview-send", request);
        await _env.WaitForFinalAsync(id);
        var steps = preview.GetProperty("steps").EnumerateArray().ToList();
        AssertSame(steps[1].GetProperty("request"), _env.RequestsTo(callback).Single(),
            new Dictionary<string, string>
            {
                ["X-Callback-Token"] = request["token"]!.GetValue<string>(),
                ["Authorization"] = "Bearer " + EndToEndEnvironment.ImsToken,
                // The IMS client id: masked like every X-Api-Key (the preview masks that header by name).
                ["X-Api-Key"] = "e2e-client",
            });
        Assert.That(preview.GetProperty("outcome").GetProperty("report").ToString(), Is.EqualTo(JsonNode.Parse(_env.RequestsTo(callback).Single().RequestMessage.Body!)!.ToJsonString()));
    }

    [Test]
    public async Task Preview_shows_the_suppression_rule_that_matched_and_sends_nothing()
    {
        var lead = LeadId();
        var preview = await PreviewAsync("preview-send", Lead(lead, new() { ["email"] = $"gone-{lead}@example.com", ["unsubscribed"] = true }, out _));
        var rules = preview.GetProperty("rules");
        Assert.That(rules.GetProperty("verdict").GetString(), Is.EqualTo("suppressed"));
        Assert.That(rules.GetProperty("reason").GetString(), Does.Contain("'unsubscribed'"));
        Assert.That(rules.GetProperty("checks")[0].GetProperty("result").GetString(), Is.EqualTo("matched"));
        Assert.That(preview.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("step").GetString()), Is.EqualTo(new[] { "report" }), "no delivery, only the callback");
        Assert.That(preview.GetProperty("outcome").GetProperty("status").GetString(), Is.EqualTo("Suppressed"));
        Assert.That(preview.GetProperty("accessorValues").GetProperty("scoreTier").GetString(), Is.EqualTo("suppressed"));
    }

    [Test]
    public async Task Preview_reads_the_cap_without_taking_a_slot_and_says_capped_once_a_real_delivery_filled_it()
    {
        var lead = LeadId();
        var data = new JsonObject { ["email"] = $"cap-{lead}@example.com" };
        for (var i = 0; i < 2; i++)
        {
            var before = await PreviewAsync("preview-send", Lead(lead, (JsonObject)data.DeepClone(), out _));
            var cap = before.GetProperty("rules").GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("rule").GetString() == "cap");
            Assert.That(cap.GetProperty("result").GetString(), Is.EqualTo("room"));
            Assert.That(cap.GetProperty("counted").GetInt32(), Is.EqualTo(0), "previews count nothing");
        }

        var id = await _env.AcceptedAsync("preview-send", Lead(lead, (JsonObject)data.DeepClone(), out _));
        Assert.That(EndToEndEnvironment.StatusOf(await _env.WaitForFinalAsync(id)), Is.EqualTo("CallbackSent"));

        var after = await PreviewAsync("preview-send", Lead(lead, (JsonObject)data.DeepClone(), out _));
        Assert.That(after.GetProperty("rules").GetProperty("verdict").GetString(), Is.EqualTo("capped"));
        Assert.That(after.GetProperty("rules").GetProperty("reason").GetString(), Does.Contain("'one-a-day' is full: 1 of 1"));
        Assert.That(after.GetProperty("outcome").GetProperty("status").GetString(), Is.EqualTo("Capped"));
    }

    [Test]
    public async Task Preview_outside_the_send_window_gives_the_next_send_time_and_what_goes_out_then()
    {
        var lead = LeadId();
        var request = Lead(lead, new() { ["email"] = "night@example.com" }, out _);
        request["actionConfig"]!["timeout"] = 240;
        var preview = await PreviewAsync("preview-window", request);
        var rules = preview.GetProperty("rules");
        Assert.That(rules.GetProperty("verdict").GetString(), Is.EqualTo("deferred"));
        var next = rules.GetProperty("nextSendAt").GetDateTimeOffset();
        Assert.That(next, Is.EqualTo(Opening));
        Assert.That(rules.GetProperty("checks")[0].GetProperty("result").GetString(), Is.EqualTo("closed"));
        Assert.That(preview.GetProperty("outcome").GetProperty("deferredUntil").GetDateTimeOffset(), Is.EqualTo(next));
        Assert.That(preview.GetProperty("steps")[0].GetProperty("request").GetProperty("url").GetString(), Does.EndWith($"/preview-hook/{lead}"));
        Assert.That(_env.RequestsTo($"/preview-hook/{lead}"), Is.Empty);

        // With the default 60 minutes the window opens after the deadline: the request would end TimedOut, saying why.
        var late = await PreviewAsync("preview-window", Lead(LeadId(), new() { ["email"] = "late@example.com" }, out _));
        Assert.That(late.GetProperty("rules").GetProperty("verdict").GetString(), Is.EqualTo("tooLate"));
        Assert.That(late.GetProperty("outcome").GetProperty("status").GetString(), Is.EqualTo("TimedOut"));
        Assert.That(late.GetProperty("outcome").GetProperty("detail").GetString(), Does.Contain("after the deadline"));
    }

    [Test]
    public async Task Preview_refuses_a_bad_sample_in_the_contract_s_error_shape_and_a_wrong_support_key()
    {
        var bad = Lead(LeadId(), new() { ["email"] = "x@example.com" }, out _);
        bad.Remove("callbackUrl");
        var body = new JsonObject { ["request"] = bad };
        using (var message = new HttpRequestMessage(HttpMethod.Post, "/actions/preview-send/preview") { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") })
        {
            using var response = await _env.Client.SendAsync(message);
            var error = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.That((int)response.StatusCode, Is.EqualTo(400));
            Assert.That(error.GetProperty("message").GetString(), Does.Contain("callbackUrl"));
        }
        // A support key that matches no user is refused, although the caller's own key is there too: the key presented decides.
        using var wrong = new HttpRequestMessage(HttpMethod.Post, "/actions/preview-send/preview") { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        wrong.Headers.Add("X-Support-Key", "not-a-support-key-0123456789");
        using var refused = await _env.Client.SendAsync(wrong);
        Assert.That((int)refused.StatusCode, Is.EqualTo(401));
    }
}
