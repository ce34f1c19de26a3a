using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using ExternalAction.Contracts.Json;
using ExternalAction.Contracts.Platform;

namespace ExternalAction.Contracts.Messaging;

/// <summary>
/// The engine's work item: published by a contract's inbound adapter (the Api) once per accepted platform call, to
/// one queue, the processing queue (the Api writes the status row itself). Whatever the contract, it carries the
/// request id, the action and version, the contract, who and which journey it is for, when it was received and its
/// deadline; the data templates and mappings read is the contract's own (<see cref="Request"/> for B2B, <see cref="Data"/>
/// for the others), as is what the outcome reporter needs (B2B: the callback URL and token inside <see cref="Request"/>).
/// </summary>
public sealed record ActionAccepted
{
    /// <summary>The current <see cref="SchemaVersion"/>. Readers accept every version up to theirs; a change that an older
    /// Processor could not read gets a new number (and a fixture in tests/fixtures/messages that every later release reads).
    /// 1: B2B only (no <see cref="Contract"/>, <see cref="Identity"/> or <see cref="Data"/>); 2: any contract.</summary>
    public const int CurrentSchemaVersion = 2;

    /// <summary>Version of this message's shape; messages queued before it existed read as 1. The Api's publisher stamps
    /// <see cref="CurrentSchemaVersion"/> on every message it queues (IntakePublisher).</summary>
    public int SchemaVersion { get; init; } = 1;

    public required string RequestId { get; init; }
    public required string ActionName { get; init; }
    public required string ActionVersion { get; init; }
    /// <summary>The platform contract the call came through (<see cref="ContractNames"/>); version 1 messages are B2B.</summary>
    public string Contract { get; init; } = ContractNames.B2B;
    /// <summary>Who and which journey the request is for, as the status row records it; null on version 1 messages (B2B reads it from <see cref="Request"/>).</summary>
    public WorkIdentity? Identity { get; init; }
    public required DateTimeOffset ReceivedAt { get; init; }
    public required DateTimeOffset Deadline { get; init; }
    /// <summary>B2B: the execution request, written with the contract's own JSON options, never the bus's (see <see cref="ContractJsonConverter{T}"/>).</summary>
    [JsonConverter(typeof(ContractJsonConverter<ExecutionRequest>))]
    public ExecutionRequest? Request { get; init; }
    /// <summary>B2B: header parameters sent as real HTTP headers (they win over <c>customHeaders</c> in the body).</summary>
    public Dictionary<string, string>? HttpHeaders { get; init; }
    /// <summary>Every other contract: the call's data as its adapter normalised it (what templates and mappings read).</summary>
    public JsonObject? Data { get; init; }
    /// <summary>On a delayed retry: not to be worked on before this time (a copy that arrives early waits again).</summary>
    public DateTimeOffset? NotBefore { get; init; }

    /// <summary>The B2B execution request; only B2B code reads it, and a B2B message always has one.</summary>
    [JsonIgnore]
    public ExecutionRequest B2B => Request ?? throw new InvalidOperationException($"Message {RequestId} of contract '{Contract}' has no B2B execution request.");
}

/// <summary>The platform contracts the engine serves; the value of <see cref="ActionAccepted.Contract"/> and of the status row's <c>contract</c> column.</summary>
public static class ContractNames
{
    /// <summary>Adobe Journey Optimizer B2B External Actions (<c>POST /submitAsyncAction</c>, callback).</summary>
    public const string B2B = "ajo-b2b";
    /// <summary>Salesforce Marketing Cloud Journey Builder custom activities (<c>execute</c>).</summary>
    public const string Sfmc = "sfmc";
    /// <summary>Adobe Journey Optimizer custom actions (fire and proceed).</summary>
    public const string AjoCustomAction = "ajo-custom-action";

    public static IReadOnlyList<string> All { get; } = [B2B, Sfmc, AjoCustomAction];
}

/// <summary>
/// Who and which journey a work item is for, in the engine's words, whatever the contract calls them. Every value is
/// platform data: validated by the adapter (length, characters) before it is put here, and only ever bound as a SQL
/// parameter or encoded where it is shown.
/// </summary>
public sealed record WorkIdentity
{
    /// <summary>B2B: <c>lead</c>, <c>account</c>, <c>accountPerson</c>; SFMC: <c>contact</c>; AJO custom actions: <c>profile</c>.</summary>
    public required string EntityType { get; init; }
    /// <summary>The contact (SFMC contact key, AJO profile identity) when the contract has one.</summary>
    public string? ContactKey { get; init; }
    public string? JourneyId { get; init; }
    public string? JourneyName { get; init; }
    /// <summary>The journey's version or running instance (SFMC <c>definitionInstanceId</c>, AJO journey version id).</summary>
    public string? JourneyInstanceId { get; init; }
    /// <summary>The journey step (SFMC <c>activityId</c>, AJO action/step id).</summary>
    public string? ActivityId { get; init; }
}
