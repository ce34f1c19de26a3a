using System.Net;
using System.Text.Json.Nodes;
using ExternalAction.TestSupport;

namespace ExternalAction.Api.Tests.Actions;

/// <summary>
/// Fail fast: a host that delivers (here the Api with the embedded Processor) does not start with an action it could not
/// run — a template that does not parse, a host a template could choose, a service definition outside Adobe's schema, a
/// secret that is not configured, a URL the outbound clients would refuse — and says which file, action and key.
/// Every action file in the repository still starts.
/// </summary>
[TestFixture]
public sealed class StartupValidationTests
{
    private const string SecretValue = "https://hooks.slack.com/services/T0SECRET/B0SECRET/XXXXSECRETVALUE";
    private string _dir = null!;

    [SetUp]
    public void CreateFolder()
    {
        _dir = Path.Combine(Path.GetTempPath(), $"startup-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_dir);
        File.Copy(Fixtures.Adobe("lead-scoring.json"), Path.Combine(_dir, "lead-scoring.json"));
    }

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_dir, recursive: true);

    private string Write(params string[] channels)
    {
        var path = Path.Combine(_dir, "actions.json");
        var actions = channels.Select((c, i) => $$"""{ "name": "a{{i}}", "serviceDefinitionFile": "lead-scoring.json", "channel": {{c}} }""");
        File.WriteAllText(path, $$"""{ "actions": [ {{string.Join(", ", actions)}} ] }""");
        return path;
    }

    private static ApiFactory Host(string actionsFile, string environment = "Production", IDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["ExternalAction:Actions:File"] = actionsFile,
            // The embedded Processor: this host delivers, so it checks what delivering needs.
            ["ExternalAction:Processor:Embedded"] = "true",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            all[key] = value;
        return new ApiFactory(all, environment);
    }

    private static string StartupFailure(ApiFactory factory)
    {
        var error = Assert.Catch(() => factory.CreateClient().Dispose())!;
        var messages = new List<string>();
        for (Exception? e = error; e is not null; e = e.InnerException)
            messages.Add(e.Message);
        if (error is AggregateException aggregate)
            messages.AddRange(aggregate.Flatten().InnerExceptions.Select(e => e.Message));
        return string.Join(Environment.NewLine, messages);
    }

    public static IEnumerable<TestCaseData> BadActions()
    {
        // What the file says (checked when it is loaded).
        yield return Case("""{ "type": "webhook", "url": "https://hooks.example.com/in", "body": { "email": "{{ lead.email " } }""", "channel.body.email")
            .SetName("A body template that does not parse");
        yield return Case("""{ "type": "slack", "url": "https://hooks.example.com/in", "text": "{% if %}" }""", "channel.text")
            .SetName("A Slack text that does not parse");
        yield return Case("""{ "type": "webhook", "url": "https://{{ flow.tenant }}.example.com/in" }""", "channel.url")
            .SetName("A URL whose host a template chooses");
        yield return Case("""{ "type": "webhook", "url": "hooks.example.com/in" }""", "channel.url")
            .SetName("A URL that is not absolute");

        // What this host's configuration must hold (checked before anything starts).
        yield return Case("""{ "type": "webhook", "url": "https://hooks.example.com/in", "auth": { "type": "bearer", "secret": "hook-token" } }""", "channel.auth.secret")
            .SetName("A webhook auth secret that is not configured");
        yield return Case("""{ "type": "slack", "urlSecret": "slack-hook", "text": "hi" }""", "channel.urlSecret")
            .SetName("A Slack URL secret that is not configured");
        yield return Case("""{ "type": "twilio", "accountSid": "AC1", "authTokenSecret": "twilio-token", "from": "+15550001", "to": "+15550002", "text": "hi" }""", "channel.authTokenSecret")
            .SetName("A Twilio auth token secret that is not configured");
        yield return Case("""{ "type": "sinch", "servicePlanId": "plan1", "apiTokenSecret": "sinch-token", "from": "+15550001", "to": "+15550002", "text": "hi" }""", "channel.apiTokenSecret")
            .SetName("A Sinch API token secret that is not configured");
        yield return Case("""{ "type": "sinch", "baseUrl": "http://sms.example.com", "servicePlanId": "plan1", "apiTokenSecret": "t", "from": "+15550001", "to": "+15550002", "text": "hi" }""", "channel.baseUrl",
            new() { ["Secrets:t"] = "token" }).SetName("A Sinch base URL over plain http");
        yield return Case("""{ "type": "webhook", "url": "http://hooks.example.com/in" }""", "channel.url")
            .SetName("Plain http outside Development");
        yield return Case("""{ "type": "webhook", "url": "https://10.1.2.3/in/{{ lead.id }}" }""", "channel.url")
            .SetName("A private address literal");
        yield return Case("""{ "type": "webhook", "url": "https://[::1]:8443/in" }""", "channel.url")
            .SetName("An IPv6 loopback literal");
        yield return Case("""{ "type": "webhook", "url": "http://localhost:9000/in" }""", "channel.url")
            .SetName("localhost when loopback is not an allowed network");
        yield return Case("""{ "type": "twilio", "baseUrl": "http://169.254.169.254", "accountSid": "AC1", "authTokenSecret": "t", "from": "+15550001", "to": "+15550002", "text": "hi" }""", "channel.baseUrl",
            new() { ["Secrets:t"] = "token" }).SetName("A Twilio base URL on the metadata address");
        yield return Case("""{ "type": "slack", "urlSecret": "slack-hook", "text": "hi" }""", "channel.urlSecret",
            new() { ["Secrets:slack-hook"] = SecretValue.Replace("https:", "http:", StringComparison.Ordinal) }).SetName("A URL secret holding a plain http URL");
        yield return Case("""{ "type": "slack", "urlSecret": "slack-hook", "text": "hi" }""", "channel.urlSecret",
            new() { ["Secrets:slack-hook"] = "T0SECRET/B0SECRET/XXXXSECRETVALUE" }).SetName("A URL secret holding no URL");
    }

    private static TestCaseData Case(string channel, string key, Dictionary<string, string?>? settings = null) => new(channel, key, settings ?? []);

    [TestCaseSource(nameof(BadActions))]
    public void Start_up_fails_naming_the_file_the_action_and_the_key(string channel, string key, Dictionary<string, string?> settings)
    {
        var path = Write(channel);
        using var factory = Host(path, settings: settings);
        var message = StartupFailure(factory);
        Assert.That(message, Does.Contain($"Action definition file '{path}'"));
        Assert.That(message, Does.Contain($"action 'a0': key '{key}'"));
        Assert.That(message, Does.Not.Contain("XXXXSECRETVALUE"), "a secret's value never appears");
    }

    [Test]
    public void Service_definitions_are_held_to_Adobes_schema_at_start_up()
    {
        var sd = JsonNode.Parse(File.ReadAllText(Fixtures.Adobe("lead-scoring.json")))!.AsObject();
        sd["invocationPayloadDef"]!["fields"]![0]!["dataType"] = "email";
        var path = Path.Combine(_dir, "actions.json");
        File.WriteAllText(path, new JsonObject { ["actions"] = new JsonArray(new JsonObject { ["name"] = "scoring", ["serviceDefinition"] = sd }) }.ToJsonString());
        using var factory = Host(path);
        var message = StartupFailure(factory);
        Assert.That(message, Does.Contain(path).And.Contain("action 'scoring': key 'serviceDefinition.invocationPayloadDef.fields[0].dataType'"));
    }

    [Test]
    public void Every_problem_of_the_file_is_reported_at_once()
    {
        var path = Write(
            """{ "type": "webhook", "url": "http://hooks.example.com/in" }""",
            """{ "type": "webhook", "url": "https://hooks.example.com/in", "auth": { "type": "apiKey", "secret": "key-one" } }""",
            """{ "type": "twilio", "accountSid": "AC1", "authTokenSecret": "key-two", "from": "+15550001", "to": "+15550002", "text": "hi" }""");
        using var factory = Host(path);
        var message = StartupFailure(factory);
        Assert.That(message, Does.Contain("action 'a0': key 'channel.url'"));
        Assert.That(message, Does.Contain("action 'a1': key 'channel.auth.secret'").And.Contain("'Secrets:key-one'"));
        Assert.That(message, Does.Contain("action 'a2': key 'channel.authTokenSecret'").And.Contain("'Secrets:key-two'"));
    }

    public static IEnumerable<TestCaseData> GoodConfigurations()
    {
        yield return new TestCaseData("""{ "type": "webhook", "url": "http://hooks.example.com/in/{{ lead.id }}" }""", "Development", new Dictionary<string, string?>())
            .SetName("Plain http in Development");
        yield return new TestCaseData("""{ "type": "webhook", "url": "https://10.1.2.3/in" }""", "Production", new Dictionary<string, string?> { ["ExternalAction:Outbound:AllowedNetworks:0"] = "10.1.0.0/16" })
            .SetName("A private address inside an allowed network");
        yield return new TestCaseData("""{ "type": "webhook", "url": "http://localhost:9000/in" }""", "Production", new Dictionary<string, string?> { ["ExternalAction:Outbound:AllowedNetworks:0"] = "127.0.0.0/8" })
            .SetName("Plain http to an allowed loopback host");
        yield return new TestCaseData("""{ "type": "slack", "urlSecret": "slack-hook", "blocks": [ { "type": "section", "text": { "type": "mrkdwn", "text": "{{ lead.email | upcase }}" } } ] }""", "Production",
            new Dictionary<string, string?> { ["Secrets:slack-hook"] = SecretValue }).SetName("A configured Slack URL secret");
    }

    [TestCaseSource(nameof(GoodConfigurations))]
    public async Task A_usable_channel_starts(string channel, string environment, Dictionary<string, string?> settings)
    {
        using var factory = Host(Write(channel), environment, settings);
        await AssertLive(factory);
    }

    /// <summary>The embedded default's sample actions with the AJO sample 'ajo-vip' changed by <paramref name="change"/>, and its sample secrets.</summary>
    private string SamplesWith(Action<JsonObject> change)
    {
        var file = JsonNode.Parse(File.ReadAllText(Path.Combine(RabbitVirtualHost.RepositoryRoot(), "src", "Api", "actions.json")),
            documentOptions: new System.Text.Json.JsonDocumentOptions { CommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true })!.AsObject();
        var actions = file["actions"]!.AsArray().Select(a => a!.AsObject()).ToList();
        // Written elsewhere, so the samples' service definition files are named from where they are.
        foreach (var action in actions.Where(a => a["serviceDefinitionFile"] is not null))
            action["serviceDefinitionFile"] = Path.Combine(RabbitVirtualHost.RepositoryRoot(), "src", "Api", (string)action["serviceDefinitionFile"]!);
        change(actions.Single(a => (string?)a["name"] == "ajo-vip"));
        var path = Path.Combine(_dir, "samples.json");
        File.WriteAllText(path, file.ToJsonString());
        return path;
    }

    public static IEnumerable<TestCaseData> BadDecisionsAndWebhooks()
    {
        yield return new TestCaseData(new Action<JsonObject>(a => a["ajo"]!["decision"]!["lookup"]!["auth"]!["secret"] = "no-such-secret"),
            "ajo.decision.lookup.auth.secret", "'Secrets:no-such-secret'").SetName("A decision lookup's secret that is not configured");
        yield return new TestCaseData(new Action<JsonObject>(a => a["ajo"]!["decision"]!["lookup"]!["url"] = "https://10.9.8.7/vip?customerId={{ customerId }}"),
            "ajo.decision.lookup.url", "private").SetName("A decision lookup on a refused address");
        yield return new TestCaseData(new Action<JsonObject>(a => a["ajo"]!["decision"]!["lookup"]!["url"] = "http://rewards.example.com/vip?customerId={{ customerId }}"),
            "ajo.decision.lookup.url", "must use https").SetName("A decision lookup over plain http in Production");
        yield return new TestCaseData(new Action<JsonObject>(a => a["ajo"]!["statusWebhook"] = new JsonObject { ["url"] = "https://169.254.169.254/status", ["secret"] = "sample-logistics-token" }),
            "ajo.statusWebhook.url", "link-local").SetName("A status webhook on a refused address");
    }

    [TestCaseSource(nameof(BadDecisionsAndWebhooks))]
    public void Start_up_fails_on_a_lookup_or_status_webhook_that_can_never_work(Action<JsonObject> change, string key, string reason)
    {
        var path = SamplesWith(change);
        using var factory = Host(path);
        var message = StartupFailure(factory);
        Assert.That(message, Does.Contain($"Action definition file '{path}'"));
        Assert.That(message, Does.Contain($"action 'ajo-vip': key '{key}'").And.Contain(reason));
    }

    [Test]
    public async Task An_api_without_the_processor_does_not_need_the_channel_secrets()
    {
        using var factory = Host(Write("""{ "type": "slack", "urlSecret": "slack-hook", "text": "hi" }"""), settings: new Dictionary<string, string?> { ["ExternalAction:Processor:Embedded"] = "false" });
        await AssertLive(factory);
    }

    public static IEnumerable<TestCaseData> RepositoryActionFiles()
    {
        var root = RabbitVirtualHost.RepositoryRoot();
        // The embedded default, with no settings but the credentials Production insists on.
        yield return new TestCaseData(Path.Combine(root, "src", "Api", "actions.json"), new Dictionary<string, string?>()).SetName("src/Api/actions.json");
        foreach (var file in Directory.GetFiles(Path.Combine(root, "tests", "fixtures", "actions"), "*.json").Order(StringComparer.Ordinal))
            yield return new TestCaseData(file, SfmcSettings(file, [])).SetName($"tests/fixtures/actions/{Path.GetFileName(file)}");
        yield return new TestCaseData(Path.Combine(root, "src", "Api", "samples", "sfmc", "slack-alert.actions.json"), SfmcSettings("sfmc", []))
            .SetName("src/Api/samples/sfmc/slack-alert.actions.json");
        // As bench/lib.sh runs it: Production, channel and callbacks on loopback, which it allows.
        yield return new TestCaseData(Path.Combine(root, "bench", "actions.json"), SfmcSettings(Path.Combine(root, "bench", "actions.json"), new() { ["ExternalAction:Outbound:AllowedNetworks:0"] = "127.0.0.0/8" }))
            .SetName("bench/actions.json");
    }

    /// <summary>A file with Journey Builder activities also needs, in Production, the signing secret and an https public URL.</summary>
    private static Dictionary<string, string?> SfmcSettings(string file, Dictionary<string, string?> settings)
    {
        if (file == "sfmc" || File.ReadAllText(file).Contains("\"sfmc\"", StringComparison.Ordinal))
        {
            foreach (var (key, value) in SfmcJourneyBuilder.Settings())
                settings[key] = value;
            settings["ExternalAction:Intake:PublicBaseUrl"] = "https://sfmc.example.com";
        }
        return settings;
    }

    [TestCaseSource(nameof(RepositoryActionFiles))]
    public async Task Every_action_file_in_the_repository_starts(string file, Dictionary<string, string?> settings)
    {
        using var factory = Host(file, settings: settings);
        await AssertLive(factory);
    }

    private static async Task AssertLive(ApiFactory factory)
    {
        using var client = factory.CreateClient();
        using var live = await client.GetAsync("/health/live");
        Assert.That(live.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }
}
