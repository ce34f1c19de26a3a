using System.ComponentModel;
using System.Text.Json.Nodes;
using ExternalAction.Api.Decisioning;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Options;

namespace ExternalAction.Api.Ajo;

/// <summary>What AJO is answered for one request id: the response fields (JSON) and how they were decided (JSON).</summary>
[ImmutableObject(true)]
public sealed record AjoAnswer(string? Fields, string Decision)
{
    public JsonObject? FieldsJson => Fields is null ? null : JsonNode.Parse(Fields)!.AsObject();
    public JsonObject DecisionJson => JsonNode.Parse(Decision)!.AsObject();
}

/// <summary>AJO face settings (<c>ExternalAction:Ajo</c>).</summary>
public sealed class AjoOptions
{
    public const string Section = "ExternalAction:Ajo";

    /// <summary>
    /// How long a decided answer is kept for the platform's retries of the same call (AJO retries within its 30 s timeout).
    /// Kept in this process only: see docs/ajo.md for a deployment with several Api instances.
    /// </summary>
    public int AnswerCacheSeconds { get; set; } = 60;
}

/// <summary>
/// Decides the response fields of an AJO call once per request id and gives every retry of it the same answer: a
/// <see cref="HybridCache"/> entry for <see cref="AjoOptions.AnswerCacheSeconds"/>, whose stampede protection makes
/// concurrent retries share one decision (one lookup). A lookup result that does not fit the declared response payload
/// is replaced by the fallback, so AJO only ever reads the fields it was told about.
/// </summary>
public sealed class AjoAnswers(HybridCache cache, Decider decider, IOptions<AjoOptions> options, TimeProvider time)
{
    public async ValueTask<AjoAnswer?> AnswerAsync(AjoAction action, string requestId, JsonObject payload, DateTimeOffset receivedAt, CancellationToken ct)
    {
        if (action.Face.Decision is null)
            return null;
        var window = TimeSpan.FromSeconds(options.Value.AnswerCacheSeconds);
        return await cache.GetOrCreateAsync($"ajo-answer:{requestId}", (self: this, action, payload, receivedAt),
            static (state, token) => state.self.DecideAsync(state.action, state.payload, state.receivedAt, token),
            new HybridCacheEntryOptions { Expiration = window, LocalCacheExpiration = window },
            cancellationToken: ct);
    }

    /// <summary>The answer a preview shows: decided like a call's, never cached, and without calling the lookup.</summary>
    public async ValueTask<AjoAnswer?> PreviewAsync(AjoAction action, JsonObject payload, DateTimeOffset receivedAt, CancellationToken ct) =>
        action.Face.Decision is null ? null : await DecideAsync(action, payload, receivedAt, ct, lookup: false);

    private async ValueTask<AjoAnswer> DecideAsync(AjoAction action, JsonObject payload, DateTimeOffset receivedAt, CancellationToken ct, bool lookup = true)
    {
        var spec = action.Face.Decision!;
        // The budget counts from the call's arrival: reading and checking the body spent some of it.
        var decision = await decider.DecideAsync(payload, spec, action.Budget - (time.GetUtcNow() - receivedAt), ct, lookup);
        if (decision.Source == DecisionSource.Lookup && AjoDeclarations.ResultProblem(decision.Result, action.Face.Response!, "response") is { } problem)
            decision = new Decision(spec.Fallback?.DeepClone(), DecisionSource.Fallback, null, $"the lookup's answer does not fit the response payload ({problem})", decision.Elapsed);
        return new AjoAnswer(decision.Result?.ToJsonString(), decision.ToJson().ToJsonString());
    }
}
