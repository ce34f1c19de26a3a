using System.Text.Json.Nodes;
using ExternalAction.Actions;
using ExternalAction.Actions.Decisioning;
using ExternalAction.Api.Decisioning;

namespace ExternalAction.Api.Tests.Decisioning;

public sealed class DecisionSpecChecksTests
{
    private static IEnumerable<string> NoResultRules(JsonNode? result, string key) => [];

    private static List<string> Problems(DecisionSpec spec) => [.. DecisionSpecChecks.Problems(spec, "ajo.decision", NoResultRules)];

    private static DecisionCondition When(string path, params string?[] values) => new() { Path = path, Operator = "is", Values = [.. values] };

    [Test]
    public void A_valid_spec_has_no_problems()
    {
        var spec = new DecisionSpec
        {
            Rules = [new DecisionRule { Id = "a", When = [When("tier", "gold")], Result = "x" }],
            Lookup = new DecisionLookup { Url = "https://rewards.example.com/vip?c={{ id }}", Fields = new() { ["s"] = "$.status" } },
            Fallback = "y",
        };

        Assert.That(Problems(spec), Is.Empty);
    }

    public static IEnumerable<TestCaseData> Bad()
    {
        yield return new TestCaseData(new DecisionSpec { Rules = [new DecisionRule { Id = "a", When = [When("tier", "gold")], Result = "x" }] }, "ajo.decision.fallback")
            .SetName("No fallback where no rule may match");
        yield return new TestCaseData(new DecisionSpec { Rules = [new DecisionRule { Id = "a", Result = "x" }, new DecisionRule { Id = "a", Result = "y" }] }, "ajo.decision.rules[0].when")
            .SetName("A default rule before others");
        yield return new TestCaseData(new DecisionSpec { Rules = [new DecisionRule { Id = "a", When = [When("t", "1")], Result = "x" }, new DecisionRule { Id = "a", Result = "y" }] }, "ajo.decision.rules[1].id")
            .SetName("Two rules with one id");
        yield return new TestCaseData(new DecisionSpec { Rules = [new DecisionRule { Id = "a", When = [new DecisionCondition { Path = "t", Operator = "equals", Values = ["1"] }], Result = "x" }], Fallback = "f" }, "ajo.decision.rules[0].when[0].operator")
            .SetName("An unknown operator");
        yield return new TestCaseData(new DecisionSpec { Rules = [new DecisionRule { Id = "a", When = [When("items[*].id", "1")], Result = "x" }], Fallback = "f" }, "ajo.decision.rules[0].when[0].path")
            .SetName("A wildcard path");
        yield return new TestCaseData(new DecisionSpec { Rules = [new DecisionRule { Id = "a", When = [new DecisionCondition { Path = "t", Operator = "is", Values = ["1"], DataType = "decimal" }], Result = "x" }], Fallback = "f" }, "ajo.decision.rules[0].when[0].dataType")
            .SetName("An unknown data type");
        yield return new TestCaseData(new DecisionSpec { Rules = [new DecisionRule { Id = "a", When = [When("t")], Result = "x" }], Fallback = "f" }, "ajo.decision.rules[0].when[0].values")
            .SetName("A condition without values");
        yield return new TestCaseData(new DecisionSpec { Lookup = new DecisionLookup { Url = "https://{{ host }}/vip", Fields = new() { ["s"] = "status" } }, Fallback = "f" }, "ajo.decision.lookup.url")
            .SetName("A lookup host from the call");
        yield return new TestCaseData(new DecisionSpec { Lookup = new DecisionLookup { Url = "https://x.example.com/", Fields = new() { ["s"] = "status" }, Headers = new() { ["X-Id"] = "{{ id }}" } }, Fallback = "f" }, "ajo.decision.lookup.headers.X-Id")
            .SetName("A lookup header from the call");
        yield return new TestCaseData(new DecisionSpec { Lookup = new DecisionLookup { Url = "https://x.example.com/", Fields = new() { ["s"] = "status" }, Auth = new ChannelAuth { Type = "hmac", Secret = "s" } }, Fallback = "f" }, "ajo.decision.lookup.auth.type")
            .SetName("An hmac lookup");
        yield return new TestCaseData(new DecisionSpec { Lookup = new DecisionLookup { Url = "https://x.example.com/", Fields = new() { ["s"] = "status" }, Auth = new ChannelAuth { Type = "bearer" } }, Fallback = "f" }, "ajo.decision.lookup.auth.secret")
            .SetName("A bearer lookup without a secret");
        yield return new TestCaseData(new DecisionSpec { Lookup = new DecisionLookup { Url = "https://x.example.com/" }, Fallback = "f" }, "ajo.decision.lookup")
            .SetName("A lookup without fields or rules");
        yield return new TestCaseData(new DecisionSpec { Lookup = new DecisionLookup { Url = "https://x.example.com/", Fields = new() { ["s"] = "status" } } }, "ajo.decision.fallback")
            .SetName("A lookup without a fallback");
    }

    [TestCaseSource(nameof(Bad))]
    public void A_bad_spec_is_refused_naming_the_key(DecisionSpec spec, string key) =>
        Assert.That(Problems(spec), Has.Some.StartWith($"key '{key}'"));

    [Test]
    public void Results_are_checked_by_the_contract() =>
        Assert.That(DecisionSpecChecks.Problems(new DecisionSpec { Rules = [new DecisionRule { Id = "a", Result = 3 }] }, "d", (r, k) => [$"key '{k}': not a string"]),
            Is.EqualTo(new[] { "key 'd.rules[0].result': not a string" }));
}
