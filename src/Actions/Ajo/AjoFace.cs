using System.Text.Json.Nodes;
using ExternalAction.Actions.Decisioning;

namespace ExternalAction.Actions.Ajo;

/// <summary>
/// The <c>ajo</c> section of an action: the action as the endpoint of an Adobe Journey Optimizer custom action
/// (<c>/actions/{name}/ajo/invoke</c>, docs/ajo.md). <see cref="Request"/> is the request payload in AJO's own notation,
/// constants and <c>{"toBeMapped": true, "dataType", "label"}</c> leaves, exactly what the practitioner pastes into AJO.
/// Checked at start-up by the Api (Ajo/AjoDeclarations.cs), naming the file, the action and the key.
/// </summary>
public sealed record AjoFace
{
    public required JsonObject Request { get; init; }
    /// <summary>Which payload fields say who and which journey step a call is for; together they are the idempotency key.</summary>
    public AjoIdentityFields Identity { get; init; } = new();
    /// <summary>Fields of the payload that the declaration does not name: <c>refuse</c> (400, the default), <c>ignore</c> (dropped) or <c>keep</c>.</summary>
    public string UnknownFields { get; init; } = AjoUnknownFields.Refuse;
    /// <summary>Payload paths whose values are masked in the status row (the delivery still reads them).</summary>
    public List<string> SecretFields { get; init; } = [];
    /// <summary>Constant headers the custom action sends (shown in custom-action.json; not required on invoke).</summary>
    public Dictionary<string, string> Headers { get; init; } = [];
    /// <summary>The response payload example: the fields the journey may branch and personalise on. Needs <see cref="Decision"/>.</summary>
    public JsonObject? Response { get; init; }
    /// <summary>How the response fields are decided (rules, lookup, fallback); each result is an object of <see cref="Response"/>'s fields.</summary>
    public DecisionSpec? Decision { get; init; }
    /// <summary>Milliseconds the decision may take before the fallback answers.</summary>
    public int BudgetMilliseconds { get; init; } = 300;
    /// <summary>Minutes the delivery is retried before the request ends <c>TimedOut</c> (24 h by default).</summary>
    public int DeadlineMinutes { get; init; } = 24 * 60;
    /// <summary>Optional: where the final outcome of each request is POSTed, HMAC-signed.</summary>
    public AjoStatusWebhook? StatusWebhook { get; init; }
}

/// <summary>Payload paths (the JSON-path subset of value mappings) of the identity a status row records.</summary>
public sealed record AjoIdentityFields
{
    /// <summary>The profile (its identity value): the row's contact key.</summary>
    public string? Profile { get; init; }
    public string? JourneyId { get; init; }
    public string? JourneyName { get; init; }
    /// <summary>The journey version: the row's journey instance id.</summary>
    public string? JourneyVersion { get; init; }
    /// <summary>The journey step (action node id): the row's activity id.</summary>
    public string? Step { get; init; }
    /// <summary>Further fields that tell one call from another (an event id for a journey a profile re-enters).</summary>
    public List<string> Extra { get; init; } = [];

    /// <summary>Every declared path with its key in the action file.</summary>
    public IEnumerable<(string Key, string Path)> Declared()
    {
        if (Profile is not null) yield return ("profile", Profile);
        if (JourneyId is not null) yield return ("journeyId", JourneyId);
        if (JourneyName is not null) yield return ("journeyName", JourneyName);
        if (JourneyVersion is not null) yield return ("journeyVersion", JourneyVersion);
        if (Step is not null) yield return ("step", Step);
        for (var i = 0; i < Extra.Count; i++)
            yield return ($"extra[{i}]", Extra[i]);
    }
}

/// <summary>The status webhook: the final outcome POSTed to <see cref="Url"/>, signed with the HMAC key in secret <see cref="Secret"/>.</summary>
public sealed record AjoStatusWebhook
{
    public required string Url { get; init; }
    /// <summary>Name of the secret holding the HMAC-SHA256 key (configuration <c>Secrets:{name}</c>).</summary>
    public required string Secret { get; init; }
    /// <summary>Header carrying the signature <c>sha256=&lt;hex&gt;</c> of <c>{timestamp}.{body}</c> (timestamp in <c>X-Signature-Timestamp</c>), as the webhook channel's hmac auth.</summary>
    public string HeaderName { get; init; } = "X-Signature";
    public int TimeoutSeconds { get; init; } = 10;
}

public static class AjoUnknownFields
{
    public const string Refuse = "refuse";
    public const string Ignore = "ignore";
    public const string Keep = "keep";

    public static IReadOnlyList<string> All { get; } = [Refuse, Ignore, Keep];
}
