using System.Text.Json.Nodes;
using ExternalAction.Actions;
using ExternalAction.Api.Decisioning;

namespace ExternalAction.Api.Sfmc;

/// <summary>
/// A split's <c>branchResult</c>, decided while Journey Builder waits: the action's decision (<see cref="Decider"/>: rules
/// over the execute's input, else the bounded lookup, else the fallback) within the split's budget. A lookup answer that
/// is not one of the outcome keys is the fallback too, so the answer is always a branch Journey Builder knows.
/// </summary>
public sealed class SfmcBranching(Decider decider, ILogger<SfmcBranching> logger)
{
    /// <param name="lookup">False in a preview: the lookup is not called (the fallback answers in its place).</param>
    public async Task<SfmcBranch> DecideAsync(ActionDefinition action, ExecuteCall call, CancellationToken ct, bool lookup = true)
    {
        var sfmc = action.Sfmc!;
        var split = sfmc.Split!;
        var decision = await decider.DecideAsync(Input(call), split.Decision, TimeSpan.FromMilliseconds(split.BudgetMs), ct, lookup);
        var fallback = ((JsonValue)split.Decision.Fallback!).GetValue<string>();
        var branch = Key(decision.Result);
        if (branch is null || sfmc.Outcomes.All(o => o.Key != branch))
        {
            logger.LogInformation("SFMC split of action {Action}: the decision ({Summary}) gave no outcome key; answering the fallback.", action.Name, decision.Summary);
            return new SfmcBranch(fallback, $"fallback: {decision.Summary} gave no outcome key");
        }
        return new SfmcBranch(branch, decision.Summary);
    }

    /// <summary>What the rules and the lookup read: the in-arguments by name and the ids.</summary>
    public static JsonObject Input(ExecuteCall call)
    {
        var inArguments = new JsonObject();
        foreach (var (name, value) in call.InArguments)
            inArguments[name] = value?.DeepClone();
        return new JsonObject
        {
            ["inArguments"] = inArguments,
            ["keyValue"] = call.KeyValue,
            ["journeyId"] = call.JourneyId,
            ["definitionInstanceId"] = call.DefinitionInstanceId,
            ["activityId"] = call.ActivityId,
        };
    }

    /// <summary>A rule's result (a string) or a lookup's mapped <c>{"branchResult": …}</c>.</summary>
    private static string? Key(JsonNode? result) => result switch
    {
        JsonValue v when v.TryGetValue<string>(out var key) => key,
        JsonObject o when o["branchResult"] is JsonValue v && v.TryGetValue<string>(out var key) => key,
        _ => null,
    };
}

/// <summary>The branch answered and what decided it (for the status row; names rules and sources, never values).</summary>
public sealed record SfmcBranch(string Branch, string Summary);
