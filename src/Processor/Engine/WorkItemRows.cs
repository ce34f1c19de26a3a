using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using ExternalAction.Contracts.Json;
using ExternalAction.Contracts.Messaging;
using ExternalAction.Store;

namespace ExternalAction.Processor.Engine;

/// <summary>
/// The status row of a work item from its envelope alone (<see cref="ActionAccepted.Identity"/>, <see cref="ActionAccepted.Data"/>):
/// what every contract other than B2B records, and what a Processor records for a contract it has no adapter for.
/// </summary>
public static class WorkItemRows
{
    /// <param name="maskedPayload">The data as support may see it: the adapter removes or masks every secret first.</param>
    public static NewRequest From(ActionAccepted message, JsonObject? maskedPayload) => new()
    {
        RequestId = message.RequestId,
        ActionName = message.ActionName,
        ActionVersion = message.ActionVersion,
        Contract = message.Contract,
        EntityType = message.Identity?.EntityType ?? "",
        ContactKey = message.Identity?.ContactKey,
        JourneyId = message.Identity?.JourneyId,
        JourneyName = message.Identity?.JourneyName,
        JourneyInstanceId = message.Identity?.JourneyInstanceId,
        ActivityId = message.Identity?.ActivityId,
        ReceivedAt = message.ReceivedAt,
        DeadlineAt = message.Deadline,
        RequestPayload = maskedPayload?.ToJsonString(ContractJson.Options),
        RequestHash = Hash(message),
    };

    /// <summary>
    /// SHA-256 of what the work item is processed from (contract, action version, identity, data): equal for the
    /// platform's retries of one call, different for another call that reuses the same request id.
    /// </summary>
    public static string Hash(ActionAccepted message)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(new HashedContent(message.Contract, message.ActionVersion, message.Identity, message.Data), ContractJson.Options);
        return Convert.ToHexStringLower(SHA256.HashData(json));
    }

    private sealed record HashedContent(string Contract, string ActionVersion, WorkIdentity? Identity, JsonObject? Data);
}
