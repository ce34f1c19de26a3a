using System.Text.Json.Nodes;
using ExternalAction.Actions.Rules;
using ExternalAction.Processor.Accessors;
using ExternalAction.Processor.PathConditions;

namespace ExternalAction.Processor.Rules;

/// <summary>Delivery rules' conditions over a work item's template model: all of a list must hold (<see cref="ConditionCheck"/>).</summary>
public static class RuleConditions
{
    /// <summary>Null when every condition holds (an empty list always does), else why the first one that does not fails.</summary>
    public static string? FirstFailure(IReadOnlyList<RuleCondition> conditions, JsonNode model)
    {
        foreach (var c in conditions)
        {
            if (ConditionCheck.Check("field", c.Field, JsonPath.Select(model, c.Field), c.Operator, c.Values, c.DataType) is { } why)
                return why;
        }
        return null;
    }

    public static string Describe(IReadOnlyList<RuleCondition> conditions) =>
        conditions.Count == 0 ? "no conditions" : string.Join(" and ", conditions.Select(c => $"{c.Field} {c.Operator}{(c.Values.Count > 0 ? $" [{string.Join(", ", c.Values)}]" : "")}"));
}
