namespace ExternalAction.Store;

/// <summary>What is known about a request when it is accepted. The payload is already masked by the caller.</summary>
public sealed record NewRequest
{
    public required string RequestId { get; init; }
    public required string ActionName { get; init; }
    public required string ActionVersion { get; init; }
    /// <summary>The platform contract the request came through (<c>ajo-b2b</c>, <c>sfmc</c>, <c>ajo-custom-action</c>).</summary>
    public string Contract { get; init; } = "ajo-b2b";
    public required string EntityType { get; init; }
    /// <summary>SFMC contact key, AJO profile identity (other contracts: null).</summary>
    public string? ContactKey { get; init; }
    /// <summary>SFMC <c>definitionInstanceId</c>, AJO journey version id.</summary>
    public string? JourneyInstanceId { get; init; }
    /// <summary>SFMC <c>activityId</c>, AJO journey step.</summary>
    public string? ActivityId { get; init; }
    public string? LeadId { get; init; }
    public string? AccountId { get; init; }
    /// <summary>Comma-separated person ids of an accountPerson request.</summary>
    public string? PersonIds { get; init; }
    public string? JourneyId { get; init; }
    public string? JourneyName { get; init; }
    public string? ImsOrgId { get; init; }
    public string? MunchkinId { get; init; }
    public required DateTimeOffset ReceivedAt { get; init; }
    public required DateTimeOffset DeadlineAt { get; init; }
    public string? RequestPayload { get; init; }
    /// <summary>
    /// SHA-256 (hex) of everything the request will be processed from. The first copy inserted sets it; a later copy of
    /// the same request id with other content (a resubmission with another body or callbackUrl) never claims the row.
    /// </summary>
    public string? RequestHash { get; init; }
}

/// <summary>A status row. Holds no token and no secret.</summary>
public sealed record RequestRecord
{
    public required string RequestId { get; init; }
    public required string ActionName { get; init; }
    public required string ActionVersion { get; init; }
    public string Contract { get; init; } = "ajo-b2b";
    public required string EntityType { get; init; }
    public string? ContactKey { get; init; }
    public string? JourneyInstanceId { get; init; }
    public string? ActivityId { get; init; }
    public string? LeadId { get; init; }
    public string? AccountId { get; init; }
    public string? PersonIds { get; init; }
    public string? JourneyId { get; init; }
    public string? JourneyName { get; init; }
    public string? ImsOrgId { get; init; }
    public string? MunchkinId { get; init; }
    public DateTimeOffset ReceivedAt { get; init; }
    public DateTimeOffset DeadlineAt { get; init; }
    public string? RequestPayload { get; init; }
    /// <summary>See <see cref="NewRequest.RequestHash"/>; a digest of the token too, so never shown to support.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string? RequestHash { get; init; }
    public required string Status { get; init; }
    public string? Outcome { get; init; }
    public int AttemptCount { get; init; }
    public DateTimeOffset? NextAttemptAt { get; init; }
    public string? LeaseOwner { get; init; }
    public DateTimeOffset? LeaseUntil { get; init; }
    public DateTimeOffset? DeliveredAt { get; init; }
    public int? DeliveryStatusCode { get; init; }
    public int? DeliveryDurationMs { get; init; }
    public string? AccessorValues { get; init; }
    public string? AccessorRejections { get; init; }
    public string? SelectedPathId { get; init; }
    /// <summary>The route of the action's delivery rules the request went (or was suppressed or capped) on.</summary>
    public string? Route { get; init; }
    public int? CallbackStatusCode { get; init; }
    public string? CallbackResult { get; init; }
    /// <summary>
    /// The last callback attempt may have reached the platform without an answer (a timeout after sending). The
    /// platform's token is single-use, so a refusal of the next attempt then most likely means the first one arrived.
    /// </summary>
    public bool CallbackOutcomeUnknown { get; init; }
    /// <summary>The callback body, kept once built so a retry or a restarted Processor sends the same one.</summary>
    public string? CallbackBody { get; init; }
    public string? LastError { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>One change of status, with a short note for support.</summary>
public sealed record TransitionRecord(long Id, string RequestId, string? FromStatus, string ToStatus, DateTimeOffset At, string? Detail);

public sealed record ClaimResult(bool Claimed, RequestRecord Record);

/// <summary>
/// A change to a row: the new status plus the columns to set (null = leave as is). The store applies it only where the
/// lifecycle allows the move from the row's current status (<see cref="Lifecycle.RequestLifecycle"/>).
/// </summary>
public sealed record StatusUpdate
{
    public required string Status { get; init; }
    public string? Detail { get; init; }
    public int? AttemptCount { get; init; }
    public DateTimeOffset? NextAttemptAt { get; init; }
    public bool ClearNextAttempt { get; init; }
    public DateTimeOffset? DeliveredAt { get; init; }
    public int? DeliveryStatusCode { get; init; }
    public int? DeliveryDurationMs { get; init; }
    public string? AccessorValues { get; init; }
    public string? AccessorRejections { get; init; }
    public string? SelectedPathId { get; init; }
    public string? Route { get; init; }
    public int? CallbackStatusCode { get; init; }
    public string? CallbackResult { get; init; }
    /// <summary>See <see cref="RequestRecord.CallbackOutcomeUnknown"/>; set by every callback attempt that failed transiently.</summary>
    public bool? CallbackOutcomeUnknown { get; init; }
    public string? CallbackBody { get; init; }
    public string? Outcome { get; init; }
    public string? LastError { get; init; }
    public bool ReleaseLease { get; init; } = true;
}

/// <summary>Support's list query. Filters are AND-ed; <see cref="EntityId"/> matches lead, account, person ids and contact keys.</summary>
public sealed record RequestQuery
{
    public string? Status { get; init; }
    public string? Action { get; init; }
    public string? Contract { get; init; }
    /// <summary>SFMC definition instance id or AJO journey version id.</summary>
    public string? JourneyInstanceId { get; init; }
    public string? EntityId { get; init; }
    public string? JourneyId { get; init; }
    /// <summary>A journey's id or its name (the console's one "journey" field).</summary>
    public string? Journey { get; init; }
    public DateTimeOffset? From { get; init; }
    public DateTimeOffset? To { get; init; }
    public int PageSize { get; init; } = 50;
    public string? Cursor { get; init; }
}

public sealed record RequestPage(IReadOnlyList<RequestRecord> Items, string? NextCursor);

public sealed record StatusCount(string ActionName, string Status, long Count);

public sealed record StatusTotal(string Status, long Count);

/// <summary>One request as the dashboard counts it.</summary>
public sealed record ActivityRow
{
    public string ActionName { get; init; } = "";
    public string Status { get; init; } = "";
    public string? Outcome { get; init; }
    public DateTimeOffset ReceivedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>What one retention purge changed: rows whose payload and callback body it cleared, rows it deleted, and their history entries it deleted.</summary>
public sealed record PurgeResult(int PayloadsCleared, int RowsDeleted, int TransitionsDeleted);
