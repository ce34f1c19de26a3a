using System.Text.Json.Nodes;
using ExternalAction.Processor.Rules;

namespace ExternalAction.Processor.Preview;

/// <summary>
/// What would happen to one request, without sending or storing anything: the answer of <c>POST /actions/{name}/preview</c>
/// (docs/channels.md#preview documents every field). Serialised with the contract's JSON options (camelCase, nulls omitted).
/// </summary>
public sealed record PreviewResult
{
    public required string Action { get; init; }
    public required string ActionVersion { get; init; }
    public required string Contract { get; init; }
    /// <summary>The id intake would give this request (the same computation), so a real send can be found by it.</summary>
    public required string RequestId { get; init; }
    /// <summary>The moment the preview was made for (the rules' clock).</summary>
    public required DateTimeOffset At { get; init; }
    /// <summary>The delivery rules' checks and verdict; null when the action has none.</summary>
    public PreviewRules? Rules { get; init; }
    /// <summary>Each HTTP request the request's life would send, in order (delivery, then the report), masked.</summary>
    public IReadOnlyList<PreviewStep> Steps { get; init; } = [];
    /// <summary>Accessor values (B2B; per relationship id for accountPerson) and the ones refused by their metadata.</summary>
    public JsonNode? AccessorValues { get; init; }
    public JsonNode? AccessorRejections { get; init; }
    /// <summary>The split path (B2B <c>pathId</c>; per relationship for accountPerson) or the SFMC branch answered at execute.</summary>
    public string? SelectedPath { get; init; }
    public required PreviewOutcome Outcome { get; init; }
    /// <summary>What the platform's call is answered at once (B2B acknowledgement, SFMC out-arguments, AJO response fields).</summary>
    public JsonNode? Answer { get; init; }
    /// <summary>What the preview could not reproduce exactly (a simulated channel response, a lookup not called, …).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
}

/// <param name="Verdict"><c>deliver</c>, <c>suppressed</c>, <c>capped</c>, <c>deferred</c> or <c>tooLate</c>.</param>
/// <param name="NextSendAt">When the delivery would go out: now, or when the send window opens.</param>
public sealed record PreviewRules(string Verdict, string? Reason, string? Route, DateTimeOffset? NextSendAt, IReadOnlyList<RuleCheck> Checks);

/// <param name="Step"><c>delivery</c> or <c>report</c>.</param>
/// <param name="Target">The channel type (<c>webhook</c>, <c>slack</c>, …) or the report (<c>callback</c>, <c>dataExtension</c>, <c>statusWebhook</c>).</param>
/// <param name="Request">The request as it would be sent, masked.</param>
/// <param name="Error">Why the request could not be built (nothing would be sent), or how the simulated answer was read.</param>
public sealed record PreviewStep(string Step, string Target, PreviewRequest? Request, string? Error);

/// <param name="Status">The status the request would end in (or wait in: <c>RetryScheduled</c>) once every step went as previewed.</param>
/// <param name="Detail">The status row's detail text for it.</param>
public sealed record PreviewOutcome(string Status, string? Detail)
{
    /// <summary>The body reported to the platform or the action's receiver (B2B callback, Data Extension rows, AJO status webhook).</summary>
    public JsonNode? Report { get; init; }
    /// <summary>Outside the send window: the request waits (<c>Deferred</c>) until then, and <see cref="Status"/> is what follows.</summary>
    public DateTimeOffset? DeferredUntil { get; init; }
}
