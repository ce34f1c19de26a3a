using System.Diagnostics;
using System.Text.Json.Nodes;
using ExternalAction.Actions;
using ExternalAction.Actions.Decisioning;
using ExternalAction.Api.Decisioning;
using ExternalAction.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace ExternalAction.Api.Tests.Decisioning;

/// <summary>The synchronous decider: rules choose, the lookup answers within its budget, and every failure falls back.</summary>
public sealed class DeciderTests
{
    private static readonly TimeSpan Budget = TimeSpan.FromMilliseconds(300);
    // For tests about what a lookup answers rather than how fast: a cold first call (JIT, connection) may pass 300 ms here.
    private static readonly TimeSpan Ample = TimeSpan.FromSeconds(10);
    private WireMockServer _wire = null!;
    private ServiceProvider _services = null!;
    private Decider _decider = null!;
    private LogCapture _logs = null!;

    [SetUp]
    public void Start()
    {
        _wire = WireMockServer.Start();
        _logs = new LogCapture();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Secrets:rewards-token"] = "rewards-secret-value",
            // WireMock listens on loopback, which outbound clients refuse unless allowed.
            ["ExternalAction:Outbound:AllowedNetworks:0"] = "127.0.0.0/8",
        }).Build();
        _services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddLogging(l => l.AddProvider(_logs).SetMinimumLevel(LogLevel.Trace))
            .AddDecisioning()
            .BuildServiceProvider();
        _decider = _services.GetRequiredService<Decider>();
    }

    [TearDown]
    public void Stop()
    {
        var unmatched = _wire.LogEntries.Where(e => e.RequestMatchResult?.IsPerfectMatch != true).ToList();
        _services.Dispose();
        _wire.Stop();
        _wire.Dispose();
        Assert.That(unmatched, Is.Empty, "every outbound request must match a stub");
    }

    private static readonly DecisionSpec TierRules = new()
    {
        Rules =
        [
            new DecisionRule { Id = "gold", When = [new DecisionCondition { Path = "$.profile.tier", Operator = "is", Values = ["gold", "platinum"] }], Result = "vip" },
            new DecisionRule
            {
                Id = "big-spender",
                When =
                [
                    new DecisionCondition { Path = "$.cart.total", Operator = "greaterThanOrEqual", Values = ["500"], DataType = "float" },
                    new DecisionCondition { Path = "$.profile.optIn", Operator = "is", Values = ["true"], DataType = "boolean" },
                ],
                Result = JsonNode.Parse("""{"offer":"free-shipping","priority":2}"""),
            },
            new DecisionRule { Id = "recent", When = [new DecisionCondition { Path = "lastOrder", Operator = "greaterThan", Values = ["2026-01-01T00:00:00Z"], DataType = "datetime" }], Result = "returning" },
        ],
        Fallback = "standard",
    };

    [TestCase("""{"profile":{"tier":"Gold"}}""", "gold", "\"vip\"")]
    [TestCase("""{"profile":{"tier":"platinum"},"cart":{"total":900}}""", "gold", "\"vip\"")]
    [TestCase("""{"profile":{"tier":"silver","optIn":true},"cart":{"total":"500.00"}}""", "big-spender", """{"offer":"free-shipping","priority":2}""")]
    [TestCase("""{"profile":{"tier":"silver","optIn":false},"cart":{"total":900},"lastOrder":"2026-03-01T10:00:00+01:00"}""", "recent", "\"returning\"")]
    public async Task Rules_choose_their_result_top_down(string input, string rule, string expected)
    {
        var decision = await _decider.DecideAsync(JsonNode.Parse(input)!.AsObject(), TierRules, Budget, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(decision.Source, Is.EqualTo(DecisionSource.Rule));
            Assert.That(decision.RuleId, Is.EqualTo(rule));
            Assert.That(decision.Result!.ToJsonString(), Is.EqualTo(expected));
            Assert.That(decision.Summary, Does.StartWith($"rule '{rule}'"));
        });
    }

    [TestCase("""{}""")]
    [TestCase("""{"profile":{"tier":"silver","optIn":true},"cart":{"total":"lots"}}""")]
    [TestCase("""{"profile":{"tier":["gold"]},"lastOrder":"yesterday"}""")]
    public async Task No_matching_rule_and_no_lookup_answers_the_fallback(string input)
    {
        var decision = await _decider.DecideAsync(JsonNode.Parse(input)!.AsObject(), TierRules, Budget, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(decision.Source, Is.EqualTo(DecisionSource.Fallback));
            Assert.That(decision.Result!.GetValue<string>(), Is.EqualTo("standard"));
            Assert.That(decision.Reason, Does.Contain("no path matched"));
        });
    }

    private DecisionSpec VipLookup(string path = "/rewards/vip-status", List<DecisionRule>? rules = null) => new()
    {
        Lookup = new DecisionLookup
        {
            Url = _wire.Url + path + "?customerId={{ customerId }}",
            Auth = new ChannelAuth { Type = ChannelAuthTypes.Bearer, Secret = "rewards-token" },
            Fields = rules is null ? new() { ["status"] = "$.status", ["points"] = "$.points" } : [],
            Rules = rules ?? [],
        },
        Fallback = JsonNode.Parse("""{"status":"unknown","points":0}"""),
    };

    private void StubVip(int status = 200, string body = """{"status":"gold","points":1290,"extra":true}""", TimeSpan? delay = null, string customerId = "c-1")
    {
        var response = Response.Create().WithStatusCode(status).WithHeader("Content-Type", "application/json").WithBody(body);
        if (delay is { } d)
            response = response.WithDelay(d);
        _wire.Given(Request.Create().WithPath("/rewards/vip-status").WithParam("customerId", customerId).UsingGet()
                .WithHeader("Authorization", "Bearer rewards-secret-value"))
            .RespondWith(response);
    }

    private static JsonObject Customer(string id = "c-1") => new() { ["customerId"] = id };

    [Test]
    public async Task A_lookup_maps_its_response_fields_into_the_result()
    {
        StubVip();

        var decision = await _decider.DecideAsync(Customer(), VipLookup(), Ample, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(decision.Source, Is.EqualTo(DecisionSource.Lookup));
            Assert.That(decision.Result!.ToJsonString(), Is.EqualTo("""{"status":"gold","points":1290}"""));
        });
    }

    [Test]
    public async Task Rules_over_the_lookup_response_choose_a_branch_key()
    {
        StubVip();
        var rules = new List<DecisionRule>
        {
            new() { Id = "vip", When = [new DecisionCondition { Path = "status", Operator = "is", Values = ["gold", "platinum"] }], Result = "vip" },
            new() { Id = "other", Result = "regular" },
        };

        var decision = await _decider.DecideAsync(Customer(), VipLookup(rules: rules), Ample, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(decision.Source, Is.EqualTo(DecisionSource.Lookup));
            Assert.That(decision.RuleId, Is.EqualTo("vip"));
            Assert.That(decision.Result!.GetValue<string>(), Is.EqualTo("vip"));
        });
    }

    [Test]
    public async Task A_call_value_fills_one_query_value_and_is_encoded()
    {
        StubVip(customerId: "a/b?c=d&e");

        var decision = await _decider.DecideAsync(Customer("a/b?c=d&e"), VipLookup(), Ample, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(decision.Source, Is.EqualTo(DecisionSource.Lookup), decision.Reason);
            Assert.That(_wire.LogEntries.Single().RequestMessage.Url, Does.EndWith("?customerId=a%2Fb%3Fc%3Dd%26e"));
        });
    }

    [Test]
    public async Task A_lookup_slower_than_the_budget_answers_the_fallback_within_budget_plus_50_ms()
    {
        // Warm the client and the JIT on a fast call first: the bound is about the budget, not a cold process.
        StubVip(customerId: "warm");
        await _decider.DecideAsync(Customer("warm"), VipLookup(), Budget, CancellationToken.None);
        StubVip(delay: TimeSpan.FromSeconds(3));

        var clock = Stopwatch.StartNew();
        var decision = await _decider.DecideAsync(Customer(), VipLookup(), Budget, CancellationToken.None);
        clock.Stop();

        Assert.Multiple(() =>
        {
            Assert.That(decision.Source, Is.EqualTo(DecisionSource.Fallback));
            Assert.That(decision.Result!.ToJsonString(), Is.EqualTo("""{"status":"unknown","points":0}"""));
            Assert.That(decision.Reason, Does.Contain("took longer than"));
            Assert.That(clock.Elapsed, Is.LessThan(Budget + TimeSpan.FromMilliseconds(50)));
            Assert.That(clock.Elapsed, Is.GreaterThanOrEqualTo(Budget - TimeSpan.FromMilliseconds(20)));
        });
    }

    [TestCase(500, """{"error":"boom"}""", "answered 500")]
    [TestCase(404, """{"status":"gold"}""", "answered 404")]
    [TestCase(200, "<html>not json</html>", "not JSON")]
    [TestCase(200, """{"status":"gold"}""", "no value at '$.points'")]
    [TestCase(200, "null", "JSON null")]
    public async Task A_failed_lookup_answers_the_fallback(int status, string body, string reason)
    {
        StubVip(status, body);

        var decision = await _decider.DecideAsync(Customer(), VipLookup(), Ample, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(decision.Source, Is.EqualTo(DecisionSource.Fallback));
            Assert.That(decision.Result!.ToJsonString(), Is.EqualTo("""{"status":"unknown","points":0}"""));
            Assert.That(decision.Reason, Does.Contain(reason));
        });
    }

    [Test]
    public async Task A_lookup_to_a_refused_address_falls_back_and_logs_no_secret_or_call_data()
    {
        using var strict = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Secrets:rewards-token"] = "rewards-secret-value" }).Build())
            .AddLogging(l => l.AddProvider(_logs).SetMinimumLevel(LogLevel.Trace))
            .AddDecisioning()
            .BuildServiceProvider();

        var decision = await strict.GetRequiredService<Decider>().DecideAsync(Customer("private-customer-42"), VipLookup(), Budget, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(decision.Source, Is.EqualTo(DecisionSource.Fallback));
            Assert.That(decision.Reason, Does.Contain("BlockedDestinationException"));
            Assert.That(_logs.All, Does.Not.Contain("rewards-secret-value").And.Not.Contain("private-customer-42"));
        });
    }

    [Test]
    public async Task A_spent_budget_skips_the_lookup()
    {
        var decision = await _decider.DecideAsync(Customer(), VipLookup(), TimeSpan.Zero, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(decision.Source, Is.EqualTo(DecisionSource.Fallback));
            Assert.That(decision.Reason, Does.Contain("spent before the lookup"));
        });
    }

    [Test]
    public void The_callers_own_cancellation_escapes()
    {
        StubVip(delay: TimeSpan.FromSeconds(3));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));

        Assert.That(async () => await _decider.DecideAsync(Customer(), VipLookup(), Budget, cancel.Token), Throws.InstanceOf<OperationCanceledException>());
    }
}
