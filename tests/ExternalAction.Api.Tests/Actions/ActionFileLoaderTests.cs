using System.Text.Json.Nodes;
using ExternalAction.Actions;
using ExternalAction.TestSupport;

namespace ExternalAction.Api.Tests.Actions;

/// <summary>Action definition files: Adobe's samples load unchanged; a bad file names the file, the action and the key.</summary>
[TestFixture]
public sealed class ActionFileLoaderTests
{
    private string _dir = null!;

    [SetUp]
    public void CreateFolder()
    {
        _dir = Path.Combine(Path.GetTempPath(), $"actions-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_dir);
        foreach (var file in Directory.GetFiles(Path.Combine(Fixtures.Root, "adobe")))
            File.Copy(file, Path.Combine(_dir, Path.GetFileName(file)));
    }

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_dir, recursive: true);

    private string Write(string json)
    {
        var path = Path.Combine(_dir, "actions.json");
        File.WriteAllText(path, json);
        return path;
    }

    [TestCase("lead-scoring.json", "lead", true)]
    [TestCase("account-enrichment.json", "account", true)]
    [TestCase("accountPerson-buying-group.json", "accountPerson", true)]
    [TestCase("lead-enrichment.yaml", "lead", true)]
    public void Each_Adobe_sample_loads_unchanged_as_an_action(string file, string entityType, bool split)
    {
        var catalog = ActionFileLoader.Load(Write($$"""{ "actions": [ { "name": "a", "serviceDefinitionFile": "{{file}}" } ] }"""));
        var action = catalog.Single!;
        Assert.That(action.EntityType, Is.EqualTo(entityType));
        Assert.That(action.SplitPaths, Is.EqualTo(split));
        Assert.That(action.AccessorsMetadata, Is.Not.Empty);
        Assert.That(action.Channel.Type, Is.EqualTo(ChannelTypes.None));
    }

    [Test]
    public void The_yaml_sample_keeps_its_types_and_gets_serviceAttribute_names()
    {
        var action = ActionFileLoader.Load(Write("""{ "actions": [ { "name": "a", "serviceDefinitionFile": "lead-enrichment.yaml" } ] }""")).Single!;
        Assert.That(action.ServiceDefinition.Timeout, Is.EqualTo(90));
        Assert.That(action.ServiceDefinition.EnableSplitPaths, Is.True);
        Assert.That(action.ServiceDefinition.InvocationPayloadDef!.Fields!.Select(f => f.ServiceAttribute), Does.Contain("email"));
        Assert.That(action.ServiceDefinition.InvocationPayloadDef.Headers!.Select(h => h.Name), Does.Contain("X-Request-Source"));
        Assert.That(action.AccessorsMetadata.Single(a => a.AccessorName == "dataQuality").Constraints!.AllowedValues, Is.EqualTo(new[] { "high", "medium", "low" }));
    }

    [Test]
    public void All_four_samples_load_together_in_one_file()
    {
        var catalog = ActionFileLoader.Load(Write("""
            { "actions": [
              { "name": "one", "serviceDefinitionFile": "lead-scoring.json" },
              { "name": "two", "serviceDefinitionFile": "account-enrichment.json" },
              { "name": "three", "serviceDefinitionFile": "accountPerson-buying-group.json" },
              { "name": "four", "serviceDefinitionFile": "lead-enrichment.yaml" } ] }
            """));
        Assert.That(catalog.All, Has.Count.EqualTo(4));
        Assert.That(catalog.Single, Is.Null);
        Assert.That(catalog.Find("three")!.EntityType, Is.EqualTo("accountPerson"));
    }

    public static IEnumerable<TestCaseData> BadFiles()
    {
        yield return new TestCaseData("""{ "actions": [] }""", "actions", "").SetName("Empty actions list");
        yield return Rules("""{ "sendWindow": { "from": "09:00", "to": "20:00", "defaultZone": "Mars/Olympus_Mons" } }""", "rules.sendWindow.defaultZone").SetName("Send window with an unknown zone id");
        yield return Rules("""{ "sendWindow": { "from": "21:00", "to": "08:00" } }""", "rules.sendWindow.to").SetName("Send window across midnight");
        yield return Rules("""{ "sendWindow": { "from": "9am", "to": "20:00" } }""", "rules.sendWindow.from").SetName("Send window time that is not HH:mm");
        yield return Rules("""{ "sendWindow": { "from": "09:00", "to": "20:00", "days": ["Mon", "Funday"] } }""", "rules.sendWindow.days").SetName("Send window day that is not a day");
        yield return Rules("""{ "sendWindow": { "from": "09:00", "to": "20:00", "countryField": "lead.country", "countryZones": { "fr": "Europe/Paris" } } }""", "rules.sendWindow.countryZones.fr").SetName("Country code not upper case");
        yield return Rules("""{ "routes": [ { "name": "sms", "when": [ { "field": "lead.mobilePhone", "operator": "exists" } ], "channel": { "type": "none" } }, { "name": "x", "when": [ { "field": "customer.phone", "operator": "exists" } ], "channel": { "type": "none" } } ] }""", "rules.routes[1].when[0].field").SetName("Route field outside the request");
        yield return Rules("""{ "routes": [ { "name": "sms", "when": [ { "field": "lead.mobilePhone", "operator": "looksLike", "values": ["x"] } ], "channel": { "type": "none" } } ] }""", "rules.routes[0].when[0].operator").SetName("Route operator unknown");
        yield return Rules("""{ "routes": [ { "name": "default", "channel": { "type": "none" } }, { "name": "never", "when": [ { "field": "lead.id", "operator": "exists" } ], "channel": { "type": "none" } } ] }""", "rules.routes[0].when").SetName("Default route before others");
        yield return Rules("""{ "routes": [ { "name": "hook", "channel": { "type": "webhook" } } ] }""", "rules.routes[0].channel.url").SetName("Route channel without url");
        yield return Rules("""{ "caps": [ { "name": "daily", "max": 0, "windowHours": 24 } ] }""", "rules.caps[0].max").SetName("Cap of zero");
        yield return Rules("""{ "caps": [ { "name": "daily", "max": 1, "windowHours": 24, "per": "household" } ] }""", "rules.caps[0].per").SetName("Cap per something unknown");
        yield return Rules("""{ "suppression": { "rules": [ { "name": "all", "when": [] } ] } }""", "rules.suppression.rules[0].when").SetName("Suppression rule without conditions");
        yield return new TestCaseData("""{ "actions": [ { "name": "x", "channel": { "type": "none" } } ] }""", "serviceDefinition", "x").SetName("No service definition and no other face");
        yield return new TestCaseData("""{ "actions": [ { "name": "bad name!", "serviceDefinitionFile": "lead-scoring.json" } ] }""", "name", "bad name!").SetName("Name not URL safe");
        yield return new TestCaseData("""{ "actions": [ { "name": "x", "serviceDefinitionFile": "missing.json" } ] }""", "serviceDefinitionFile", "x").SetName("Missing service definition file");
        yield return new TestCaseData("""{ "actions": [ { "name": "x", "serviceDefinitionFile": "lead-scoring.json", "channel": { "type": "pigeon" } } ] }""", "channel.type", "x").SetName("Unknown channel");
        yield return new TestCaseData("""{ "actions": [ { "name": "x", "serviceDefinitionFile": "lead-scoring.json", "channel": { "type": "webhook" } } ] }""", "channel.url", "x").SetName("Webhook without url");
        yield return new TestCaseData("""{ "actions": [ { "name": "x", "serviceDefinitionFile": "lead-scoring.json", "accessors": { "nope": { "source": "constant", "value": 1 } } } ] }""", "accessors.nope", "x").SetName("Accessor not declared");
        yield return new TestCaseData("""{ "actions": [ { "name": "x", "serviceDefinitionFile": "lead-scoring.json", "accessors": { "leadScore": { "source": "magic" } } } ] }""", "accessors.leadScore.source", "x").SetName("Unknown value source");
        yield return new TestCaseData("""{ "actions": [ { "name": "x", "serviceDefinition": { "apiName": "s" } } ] }""", "serviceDefinition.i18n.en_US.name", "x").SetName("Incomplete inline definition");
        yield return new TestCaseData("""{ "actions": [ { "name": "x", "serviceDefinitionFile": "lead-scoring.json", "channel": { "type": "none", "maxConcurrency": "many" } } ] }""", "channel.maxConcurrency", "x").SetName("Wrong JSON type");
        yield return new TestCaseData("""{ "actions": [ { "name": "x", "serviceDefinitionFile": "lead-scoring.json" }, { "name": "x", "serviceDefinitionFile": "lead-scoring.json" } ] }""", "name", "x").SetName("Duplicate names");
        yield return new TestCaseData("""{ "actions": [ { "name": "x", "serviceDefinition": { "apiName": "s", "i18n": { "en_US": { "name": "n", "description": "d" } }, "description": "d", "primaryAttribute": "p", "supportedEntityType": "lead", "enableSplitPaths": true, "invocationPayloadDef": { "flowAttributes": [ { "apiName": "p", "dataType": "string", "i18n": { "en_US": { "displayName": "P" } } } ], "fields": [] }, "callbackPayloadDef": { "fields": [] } } } ] }""",
            "serviceDefinition.invocationPayloadDef.accessorsMetadata", "x").SetName("Split paths without accessors");
        yield return new TestCaseData("not json", "", "").SetName("Not JSON");

        // Adobe's ServiceDefinition schema (shipped in src/Actions/Schemas).
        yield return Inline(sd => sd["timeout"] = 300, "serviceDefinition.timeout").SetName("Timeout above Adobe's maximum");
        yield return Inline(sd => sd["timeout"] = 0, "serviceDefinition.timeout").SetName("Timeout of zero minutes");
        yield return Inline(sd => sd["supportedEntityType"] = "contact", "serviceDefinition.supportedEntityType").SetName("Entity type outside Adobe's enum");
        yield return Inline(sd => sd["invocationPayloadDef"]!["fields"]![0]!["dataType"] = "text", "serviceDefinition.invocationPayloadDef.fields[0].dataType").SetName("Field data type outside Adobe's enum");
        yield return Inline(sd => sd["invocationPayloadDef"]!["flowAttributes"]![1]!.AsObject().Remove("i18n"), "serviceDefinition.invocationPayloadDef.flowAttributes[1].i18n.en_US.displayName").SetName("Flow attribute without its display name");
        yield return Inline(sd => sd["supportedEntityType"] = "account", "serviceDefinition.invocationPayloadDef.accountFields").SetName("Account variant without accountFields");
        yield return Inline(sd => sd["primaryAttribute"] = "nope", "serviceDefinition.primaryAttribute").SetName("Primary attribute that is no flow attribute");

        // Templates compile and cannot choose a URL's host.
        yield return Channel("""{ "type": "webhook", "url": "https://hooks.example.com/in", "body": { "email": "{{ lead.email " } }""", "channel.body.email").SetName("Body leaf that does not parse");
        yield return Channel("""{ "type": "webhook", "url": "https://hooks.example.com/in", "body": { "{% if %}": 1 } }""", "channel.body.{% if %}").SetName("Body key that does not parse");
        yield return Channel("""{ "type": "webhook", "url": "https://hooks.example.com/in", "headers": { "X-Lead": "{{ lead.id | }}" } }""", "channel.headers.X-Lead").SetName("Header template that does not parse");
        yield return Channel("""{ "type": "webhook", "url": "https://hooks.example.com/{{ lead.id " }""", "channel.url").SetName("URL template that does not parse");
        yield return Channel("""{ "type": "teams", "card": { "type": "AdaptiveCard" } }""", "channel.urlSecret").SetName("Teams without a webhook URL");
        yield return Channel("""{ "type": "teams", "urlSecret": "teams" }""", "channel.card").SetName("Teams without a card or text");
        yield return Channel("""{ "type": "teams", "urlSecret": "teams", "card": { "body": [ { "text": "{{ lead.email" } ] } }""", "channel.card.body[0].text").SetName("Teams card template that does not parse");
        yield return Channel("""{ "type": "slack", "urlSecret": "slack", "blocks": [ { "type": "section", "text": "{% for %}" } ] }""", "channel.blocks[0].text").SetName("Slack block that does not parse");
        yield return Channel("""{ "type": "twilio", "accountSid": "AC1", "authTokenSecret": "t", "from": "+1555", "to": "{{ lead.phone", "text": "hi" }""", "channel.to").SetName("SMS recipient that does not parse");
        yield return Channel("""{ "type": "webhook", "url": "https://{{ flow.host }}/in" }""", "channel.url").SetName("Host chosen by a template");
        yield return Channel("""{ "type": "webhook", "url": "https://hooks.example.com{{ flow.suffix }}/in" }""", "channel.url").SetName("Host extended by a template");
        yield return Channel("""{ "type": "webhook", "url": "https://hooks.example.com:{{ flow.port }}/in" }""", "channel.url").SetName("Port chosen by a template");
        yield return Channel("""{ "type": "webhook", "url": "/in/{{ lead.id }}" }""", "channel.url").SetName("Relative URL");
        yield return Channel("""{ "type": "slack", "url": "ftp://hooks.example.com/in", "text": "hi" }""", "channel.url").SetName("URL that is not http");
        yield return Channel("""{ "type": "webhook", "url": "https://user:password@hooks.example.com/in" }""", "channel.url").SetName("Credentials in the URL");
        yield return Channel("""{ "type": "twilio", "baseUrl": "api.twilio.com", "accountSid": "AC1", "authTokenSecret": "t", "from": "+1555", "to": "+1556", "text": "hi" }""", "channel.baseUrl").SetName("Twilio base URL that is not absolute");
        yield return Channel("""{ "type": "sinch", "apiTokenSecret": "t", "from": "+1555", "to": "+1556", "text": "hi" }""", "channel.servicePlanId").SetName("Sinch without a service plan");
        yield return Channel("""{ "type": "sinch", "servicePlanId": "p1", "from": "+1555", "to": "+1556", "text": "hi" }""", "channel.apiTokenSecret").SetName("Sinch without an API token secret");
        yield return Channel("""{ "type": "sinch", "servicePlanId": "p1", "apiTokenSecret": "t", "to": "+1556", "text": "hi" }""", "channel.from").SetName("Sinch without a sender");
        yield return Channel("""{ "type": "sinch", "servicePlanId": "p1", "apiTokenSecret": "t", "from": "+1555", "text": "hi" }""", "channel.to").SetName("Sinch without a recipient");
        yield return Channel("""{ "type": "sinch", "servicePlanId": "p1", "apiTokenSecret": "t", "from": "+1555", "to": "+1556" }""", "channel.text").SetName("Sinch without a text");
        yield return Channel("""{ "type": "sinch", "servicePlanId": "../p1", "apiTokenSecret": "t", "from": "+1555", "to": "+1556", "text": "hi" }""", "channel.servicePlanId").SetName("Sinch service plan that is not an id");
        yield return Channel("""{ "type": "sinch", "region": "xx", "servicePlanId": "p1", "apiTokenSecret": "t", "from": "+1555", "to": "+1556", "text": "hi" }""", "channel.region").SetName("Sinch region that does not exist");
        yield return Channel("""{ "type": "sinch", "baseUrl": "sms.api.sinch.com", "servicePlanId": "p1", "apiTokenSecret": "t", "from": "+1555", "to": "+1556", "text": "hi" }""", "channel.baseUrl").SetName("Sinch base URL that is not absolute");
        yield return Channel("""{ "type": "webhook", "url": "https://hooks.example.com/in", "clientCertificate": { "certificateSecret": "c" } }""", "channel.clientCertificate").SetName("Client certificate without its key");
        yield return Channel("""{ "type": "webhook", "url": "https://hooks.example.com/in", "clientCertificate": { "pfxSecret": "p", "keySecret": "k" } }""", "channel.clientCertificate").SetName("Client certificate given as PFX and PEM");
        yield return Channel("""{ "type": "webhook", "url": "https://hooks.example.com/in", "clientCertificate": { "certificateSecret": "c", "keySecret": "k", "passwordSecret": "p" } }""", "channel.clientCertificate.passwordSecret").SetName("Client certificate password without a PFX");
        yield return Channel("""{ "type": "slack", "urlSecret": "slack", "text": "hi", "clientCertificate": { "pfxSecret": "p" } }""", "channel.clientCertificate").SetName("Client certificate on a channel that is not a webhook");
    }

    /// <summary>lead-scoring.json written inline, changed by <paramref name="change"/>.</summary>
    private static TestCaseData Inline(Action<JsonObject> change, string key)
    {
        var sd = JsonNode.Parse(File.ReadAllText(Fixtures.Adobe("lead-scoring.json")))!.AsObject();
        change(sd);
        return new TestCaseData(new JsonObject { ["actions"] = new JsonArray(new JsonObject { ["name"] = "x", ["serviceDefinition"] = sd }) }.ToJsonString(), key, "x");
    }

    private static TestCaseData Rules(string rules, string key) =>
        new($$"""{ "actions": [ { "name": "x", "serviceDefinitionFile": "lead-scoring.json", "rules": {{rules}} } ] }""", key, "x");

    private static TestCaseData Channel(string channel, string key) =>
        new($$"""{ "actions": [ { "name": "x", "serviceDefinitionFile": "lead-scoring.json", "channel": {{channel}} } ] }""", key, "x");

    [Test]
    public void An_action_with_every_delivery_rule_loads()
    {
        var action = ActionFileLoader.Load(Write("""
            { "actions": [ { "name": "x", "serviceDefinitionFile": "lead-scoring.json", "rules": {
              "routes": [
                { "name": "sms", "when": [ { "field": "lead.mobilePhone", "operator": "exists" }, { "field": "lead.smsConsent", "operator": "is", "values": ["true"] } ],
                  "channel": { "type": "twilio", "accountSid": "AC1", "authTokenSecret": "t", "from": "+15550001111", "to": "{{ lead.mobilePhone }}", "text": "hi" } },
                { "name": "slack", "channel": { "type": "slack", "urlSecret": "slack", "text": "hi" } } ],
              "suppression": { "rules": [ { "name": "unsubscribed", "when": [ { "field": "lead.unsubscribed", "operator": "is", "values": ["true"] } ] } ] },
              "caps": [ { "name": "sms-daily", "max": 1, "windowHours": 24, "per": "address", "scope": "channelKind" } ],
              "sendWindow": { "from": "09:00", "to": "20:00", "days": ["Mon", "Tue", "Wed", "Thu", "Fri"], "zoneField": "lead.timeZone",
                "countryField": "lead.country", "countryZones": { "FR": "Europe/Paris" }, "defaultZone": "America/New_York" } } } ] }
            """)).Single!;
        Assert.That(action.Rules.Routes.Select(r => r.Name), Is.EqualTo(new[] { "sms", "slack" }));
        Assert.That(action.AllChannels().Select(c => c.Key), Is.EqualTo(new[] { "rules.routes[0].channel", "rules.routes[1].channel" }));
        Assert.That((action.Rules.Caps[0].Scope, action.Rules.SendWindow!.Opens), Is.EqualTo(("channelKind", new TimeOnly(9, 0))));
    }

    [Test]
    public void An_action_with_another_face_may_leave_out_the_service_definition_and_then_has_no_B2B_face()
    {
        var catalog = ActionFileLoader.Load(Write("""
            { "actions": [
              { "name": "b2b", "serviceDefinitionFile": "lead-scoring.json" },
              { "name": "other", "ajo": { "request": { "profileId": { "toBeMapped": true, "dataType": "string", "label": "profileId" } } }, "channel": { "type": "none" } } ] }
            """));
        Assert.That(catalog.Find("b2b")!.ServesB2B, Is.True);
        Assert.That(catalog.Find("other")!.ServesB2B, Is.False);
        Assert.That(catalog.Find("other")!.ServiceDefinition.SupportedEntityType, Is.Null, "an empty definition, never checked against Adobe's schema");
    }

    [TestCaseSource(nameof(BadFiles))]
    public void A_bad_file_names_the_file_the_action_and_the_key(string json, string key, string action)
    {
        var path = Write(json);
        var error = Assert.Throws<ActionDefinitionException>(() => ActionFileLoader.Load(path))!;
        Assert.That(error.Message, Does.Contain(path));
        Assert.That(error.Message, Does.Contain(key));
        if (action.Length > 0)
            Assert.That(error.Message, Does.Contain($"action '{action}'"));
    }

    [Test]
    public void A_missing_file_names_the_setting()
    {
        var error = Assert.Throws<ActionDefinitionException>(() => ActionFileLoader.Load(Path.Combine(_dir, "nope.json")))!;
        Assert.That(error.Message, Does.Contain("ExternalAction:Actions:File"));
    }
}
