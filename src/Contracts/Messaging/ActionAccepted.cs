using System.Text.Json.Serialization;
using ExternalAction.Contracts.Json;
using ExternalAction.Contracts.Platform;

namespace ExternalAction.Contracts.Messaging;

/// <summary>
/// Published by the Api once per accepted execution request. Two queues take it: the status recorder (batched
/// inserts) and the processor. Carries the whole request, token included, because the callback needs it.
/// </summary>
public sealed record ActionAccepted
{
    /// <summary>The current <see cref="SchemaVersion"/>. Readers accept every version up to theirs; a change that an older
    /// Processor could not read gets a new number (and a fixture in tests/fixtures/messages that every later release reads).</summary>
    public const int CurrentSchemaVersion = 1;

    /// <summary>Version of this message's shape; messages queued before it existed read as 1.</summary>
    public int SchemaVersion { get; init; } = CurrentSchemaVersion;

    public required string RequestId { get; init; }
    public required string ActionName { get; init; }
    public required string ActionVersion { get; init; }
    public required DateTimeOffset ReceivedAt { get; init; }
    public required DateTimeOffset Deadline { get; init; }
    /// <summary>Written with the contract's own JSON options, never the bus's (see <see cref="ContractJsonConverter{T}"/>).</summary>
    [JsonConverter(typeof(ContractJsonConverter<ExecutionRequest>))]
    public required ExecutionRequest Request { get; init; }
    /// <summary>Header parameters sent as real HTTP headers (they win over <c>customHeaders</c> in the body).</summary>
    public Dictionary<string, string>? HttpHeaders { get; init; }
    /// <summary>On a delayed retry: not to be worked on before this time (a copy that arrives early waits again).</summary>
    public DateTimeOffset? NotBefore { get; init; }
}
