using System.Text.Json;
using System.Text.Json.Nodes;
using ExternalAction.Actions;
using ExternalAction.Contracts.Json;
using ExternalAction.Contracts.Messaging;
using ExternalAction.Contracts.Platform;
using ExternalAction.Processor.Templating;
using ExternalAction.TestSupport;

namespace ExternalAction.Processor.Tests.Templating;

/// <summary>JSON bodies are templated leaf by leaf: no value can break the JSON; a lone placeholder keeps its JSON type.</summary>
public sealed class TemplateRendererTests
{
    private readonly TemplateRenderer _renderer = new();

    private static JsonObject Model(Action<JsonObject>? change = null)
    {
        var request = SampleRequests.Lead();
        change?.Invoke(request);
        var message = new ActionAccepted
        {
            RequestId = "req-1",
            ActionName = "a",
            ActionVersion = "1",
            ReceivedAt = DateTimeOffset.UnixEpoch,
            Deadline = DateTimeOffset.UnixEpoch.AddHours(1),
            Request = request.Deserialize<ExecutionRequest>(ContractJson.Options)!,
        };
        var action = new ActionDefinition { Name = "a", ServiceDefinition = new() };
        return TemplateModel.Create(message, action);
    }

    public static IEnumerable<TestCaseData> NastyStrings()
    {
        string[] values = ["say \"hi\"", "back\\slash", "line1\nline2\r\n", "</script><b>", "emoji 🎉 ünïcödé 中文", "{{ not a tag }}", "tab\tand\u0001control", "' OR 1=1 --"];
        foreach (var value in values)
            yield return new TestCaseData(value).SetName($"Value {JsonSerializer.Serialize(value)} stays valid JSON");
    }

    [TestCaseSource(nameof(NastyStrings))]
    public void Json_breaking_values_round_trip(string nasty)
    {
        var model = Model(r => r["objectData"]!["objectContext"]!["leadData"]!["firstName"] = nasty);
        var template = JsonNode.Parse("""{ "greeting": "Hello {{ lead.firstName }}!", "raw": "{{ lead.firstName }}", "list": ["{{ lead.firstName }}"] }""");
        var json = _renderer.RenderJson(template, model)!.ToJsonString();
        var parsed = JsonNode.Parse(json)!;
        Assert.That(parsed["greeting"]!.GetValue<string>(), Is.EqualTo($"Hello {nasty}!"));
        Assert.That(parsed["raw"]!.GetValue<string>(), Is.EqualTo(nasty));
        Assert.That(parsed["list"]![0]!.GetValue<string>(), Is.EqualTo(nasty));
    }

    [Test]
    public void A_lone_placeholder_keeps_the_json_type_of_what_it_names()
    {
        var model = Model(r =>
        {
            var lead = r["objectData"]!["objectContext"]!["leadData"]!;
            lead["score"] = 91;
            lead["ratio"] = 0.5;
            lead["vip"] = true;
            lead["tags"] = new JsonArray("a", "b");
            lead["address"] = new JsonObject { ["city"] = "Oslo" };
        });
        var template = JsonNode.Parse("""
            { "score": "{{ lead.score }}", "ratio": "{{lead.ratio}}", "vip": " {{ lead.vip }} ", "tags": "{{ lead.tags }}",
              "address": "{{ lead.address }}", "missing": "{{ lead.nothing }}", "first": "{{ lead.tags[0] }}", "text": "score {{ lead.score }}" }
            """);
        var result = _renderer.RenderJson(template, model)!;
        Assert.That(result["score"]!.GetValueKind(), Is.EqualTo(JsonValueKind.Number));
        Assert.That(result["score"]!.GetValue<long>(), Is.EqualTo(91));
        Assert.That(result["ratio"]!.GetValue<double>(), Is.EqualTo(0.5));
        Assert.That(result["vip"]!.GetValueKind(), Is.EqualTo(JsonValueKind.True));
        Assert.That(result["tags"]!.AsArray().Select(t => t!.GetValue<string>()), Is.EqualTo(new[] { "a", "b" }));
        Assert.That(result["address"]!["city"]!.GetValue<string>(), Is.EqualTo("Oslo"));
        Assert.That(result.AsObject().ContainsKey("missing"), Is.True);
        Assert.That(result["missing"], Is.Null);
        Assert.That(result["first"]!.GetValue<string>(), Is.EqualTo("a"));
        Assert.That(result["text"]!.GetValue<string>(), Is.EqualTo("score 91"));
    }

    [Test]
    public void Non_string_leaves_and_keys_are_rendered_too()
    {
        var template = JsonNode.Parse("""{ "{{ lead.id }}": 1, "flag": false, "nothing": null }""");
        var result = _renderer.RenderJson(template, Model())!;
        Assert.That(result["12345"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(result["flag"]!.GetValue<bool>(), Is.False);
    }

    [Test]
    public void Text_is_not_html_encoded_and_filters_work()
    {
        var model = Model(r => r["objectData"]!["objectContext"]!["leadData"]!["company"] = "A&B <Co>");
        Assert.That(_renderer.RenderText("{{ lead.company }} / {{ lead.company | upcase }} / {{ lead.none | default: 'n/a' }}", model),
            Is.EqualTo("A&B <Co> / A&B <CO> / n/a"));
    }

    [Test]
    public void The_model_carries_context_flow_and_headers_but_never_the_token()
    {
        var model = Model();
        Assert.That(model.ToJsonString(), Does.Not.Contain("tok-lead-1"));
        Assert.That(_renderer.RenderText("{{ journey.name }}|{{ flow.scoringModel }}|{{ subscription.munchkinId }}|{{ headers.X-Customer-ID }}|{{ requestId }}", model),
            Is.EqualTo("Welcome series|predictive|123-ABC-456|123-ABC-456|req-1"));
    }

    [Test]
    public void A_broken_template_is_reported_by_name()
    {
        Assert.That(TemplateRenderer.TryParse("{{ lead.email ", out var error), Is.False);
        Assert.That(error, Is.Not.Empty);
        Assert.Throws<TemplateException>(() => _renderer.RenderText("{% if %}", Model()));
    }
}
