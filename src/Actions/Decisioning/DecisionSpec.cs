using System.Text.Json.Nodes;

namespace ExternalAction.Actions.Decisioning;

/// <summary>
/// How a contract that must answer now (AJO custom-action response fields, an SFMC split's <c>branchResult</c>) decides
/// its answer from the call's data, within a time budget: <see cref="Rules"/> over the input first (top-down, first match
/// wins, a rule without conditions always matches), then, when none matched, the bounded <see cref="Lookup"/>, and
/// <see cref="Fallback"/> when the lookup fails, is too slow, or nothing decided. A result is any JSON: an object of
/// response fields, or a branch key string. Checked at start-up by the Api (Decisioning/DecisionSpecChecks.cs).
/// </summary>
public sealed record DecisionSpec
{
    public List<DecisionRule> Rules { get; init; } = [];
    public DecisionLookup? Lookup { get; init; }
    /// <summary>The answer when the budget runs out, the lookup fails, or no rule matched.</summary>
    public JsonNode? Fallback { get; init; }
}

/// <summary>One rule: its id (reported as the source of the answer), its AND-ed conditions and its result.</summary>
public sealed record DecisionRule
{
    public required string Id { get; init; }
    public List<DecisionCondition> When { get; init; } = [];
    public JsonNode? Result { get; init; }
}

/// <summary>
/// A condition with the path evaluator's semantics (docs/path-conditions.md): the value at <see cref="Path"/> (the JSON
/// path subset of value mappings) compared with <see cref="Values"/> by <see cref="Operator"/> (<c>is</c>, <c>isNot</c>,
/// <c>greaterThan</c>…, <c>contains</c>, <c>notContains</c>) read as <see cref="DataType"/> (string, integer, float,
/// boolean, date, datetime; inferred from the JSON value when absent). A missing value makes it false.
/// </summary>
public sealed record DecisionCondition
{
    public required string Path { get; init; }
    public required string Operator { get; init; }
    public List<string?> Values { get; init; } = [];
    public string? DataType { get; init; }
}

/// <summary>
/// A synchronous GET (or POST without body) to a decision endpoint. <see cref="Url"/> is a URL template rendered over the
/// input (placeholders fill path segments or query values, percent-encoded, never the host); headers are constants;
/// <see cref="Auth"/> names a secret (bearer, basic or apiKey). Its JSON response becomes the result through
/// <see cref="Fields"/> (result field → response path) or through <see cref="Rules"/> evaluated over the response.
/// </summary>
public sealed record DecisionLookup
{
    public required string Url { get; init; }
    public string Method { get; init; } = "GET";
    public Dictionary<string, string> Headers { get; init; } = [];
    public ChannelAuth Auth { get; init; } = new();
    /// <summary>Result field → JSON path into the response (<c>{"status": "$.status"}</c>); every path must hold a value.</summary>
    public Dictionary<string, string> Fields { get; init; } = [];
    /// <summary>Rules over the response, for a result that is chosen rather than copied (a branch key).</summary>
    public List<DecisionRule> Rules { get; init; } = [];
}
