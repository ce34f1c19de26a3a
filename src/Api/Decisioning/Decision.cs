using System.Text.Json.Nodes;

namespace ExternalAction.Api.Decisioning;

/// <summary>What decided an answer: a rule over the input, the lookup, or the fallback.</summary>
public enum DecisionSource
{
    Rule,
    Lookup,
    Fallback,
}

/// <summary>
/// The answer a contract gives now (<see cref="Result"/>, a JSON value of the action's own making), which source gave it,
/// the rule's id when a rule did (an input rule, or a rule over the lookup's response), why, and how long it took.
/// <see cref="Summary"/> is what the status row and the logs show: it names paths, rule ids and failure kinds from the
/// configuration, never a value from the call or the lookup's response.
/// </summary>
public sealed record Decision(JsonNode? Result, DecisionSource Source, string? RuleId, string Reason, TimeSpan Elapsed)
{
    public string Summary => Source switch
    {
        DecisionSource.Rule => $"rule '{RuleId}' ({Reason})",
        DecisionSource.Lookup when RuleId is not null => $"lookup, rule '{RuleId}' ({Reason})",
        DecisionSource.Lookup => $"lookup ({Reason})",
        _ => $"fallback ({Reason})",
    };

    /// <summary>The decision as the work item and the status row keep it.</summary>
    public JsonObject ToJson() => new()
    {
        ["source"] = Source switch { DecisionSource.Rule => "rule", DecisionSource.Lookup => "lookup", _ => "fallback" },
        ["ruleId"] = RuleId,
        ["reason"] = Reason,
        ["elapsedMs"] = Math.Round(Elapsed.TotalMilliseconds, 1),
    };
}
