using System.Text.Json.Nodes;
using ExternalAction.Actions.Rules;
using ExternalAction.Processor.Rules;

namespace ExternalAction.Processor.Tests.Rules;

/// <summary>Delivery rules' conditions over a template model: the path operators with typed values, plus exists/notExists.</summary>
[TestFixture]
public sealed class RuleConditionsTests
{
    private static readonly JsonNode Model = JsonNode.Parse("""
        { "lead": { "mobilePhone": "+14155550100", "smsConsent": true, "score": 72, "email": "", "country": "FR", "tags": "vip,beta", "signup": "2026-03-01" } }
        """)!;

    private static RuleCondition C(string field, string op, params string?[] values) => new() { Field = field, Operator = op, Values = [.. values] };

    [TestCase("lead.mobilePhone", "exists", true)]
    [TestCase("lead.email", "exists", false, TestName = "An empty string does not exist")]
    [TestCase("lead.nope", "exists", false)]
    [TestCase("lead.nope", "notExists", true)]
    [TestCase("lead.smsConsent", "is", true, "true")]
    [TestCase("lead.smsConsent", "is", false, "false")]
    [TestCase("lead.score", "greaterThan", true, "70")]
    [TestCase("lead.score", "lessThanOrEqual", false, "71.5")]
    [TestCase("lead.country", "is", true, "DE", "FR")]
    [TestCase("lead.country", "isNot", false, "DE", "FR")]
    [TestCase("lead.tags", "contains", true, "VIP")]
    [TestCase("lead.tags", "notContains", true, "alpha")]
    [TestCase("lead.score", "contains", false, "7", TestName = "contains on a number is false, not an error")]
    [TestCase("lead.nope", "is", false, "x", TestName = "A missing field is false")]
    [TestCase("lead.score", "greaterThan", false, "many", TestName = "A value that is not of the field's type is false")]
    public void One_condition(string field, string op, bool holds, params string[] values) =>
        Assert.That(RuleConditions.FirstFailure([C(field, op, values)], Model) is null, Is.EqualTo(holds));

    [Test]
    public void A_declared_type_reads_text_as_that_type()
    {
        var condition = new RuleCondition { Field = "lead.signup", Operator = "greaterThan", Values = ["2026-02-28"], DataType = "date" };
        Assert.That(RuleConditions.FirstFailure([condition], Model), Is.Null);
    }

    [Test]
    public void All_conditions_must_hold_and_the_first_failure_says_why()
    {
        var why = RuleConditions.FirstFailure([C("lead.mobilePhone", "exists"), C("lead.smsConsent", "is", "false")], Model);
        Assert.That(why, Does.Contain("lead.smsConsent is [false] is false"));
        Assert.That(RuleConditions.FirstFailure([], Model), Is.Null, "no conditions: holds (the default route)");
    }
}
