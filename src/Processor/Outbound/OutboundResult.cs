namespace ExternalAction.Processor.Outbound;

/// <summary>What one outbound HTTP attempt (a delivery or a callback) came to, and whether trying again may help.</summary>
public sealed record OutboundResult
{
    public required FailureKind Failure { get; init; }
    public int? StatusCode { get; init; }
    public TimeSpan Duration { get; init; }
    /// <summary>The server's <c>Retry-After</c>, when it sent one.</summary>
    public TimeSpan? RetryAfter { get; init; }
    /// <summary>Why it failed, safe to store and show to support (no secrets).</summary>
    public string? Error { get; init; }
    /// <summary>The response body (truncated to 64 KiB), for accessor values read from the channel's answer.</summary>
    public string? ResponseBody { get; init; }
    /// <summary>True when the request may have reached the server although no answer came back (timeout, reset).</summary>
    public bool OutcomeUnknown { get; init; }

    /// <summary>Set when the delivery rules kept the message from the channel: <c>suppressed</c> or <c>capped</c> (<see cref="Error"/> says why).</summary>
    public string? Verdict { get; init; }
    /// <summary>The route of the delivery rules taken (null: the action's one channel).</summary>
    public string? Route { get; init; }

    public bool Succeeded => Failure == FailureKind.None;
}

/// <summary>None = success; Transient = retry with backoff until the deadline; Permanent = stop now.</summary>
public enum FailureKind
{
    None,
    Transient,
    Permanent,
}
