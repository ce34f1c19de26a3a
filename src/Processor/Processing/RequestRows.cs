using System.Text.Json.Nodes;
using ExternalAction.Contracts.Json;
using ExternalAction.Contracts.Messaging;
using ExternalAction.Contracts.Platform;
using ExternalAction.Store;

namespace ExternalAction.Processor.Processing;

/// <summary>
/// Turns an accepted message into its status row. The payload kept for support has the callback token removed and
/// the values of admin global attributes and header parameters masked: they often hold API keys.
/// </summary>
public static class RequestRows
{
    public const string Mask = "***";

    public static NewRequest From(ActionAccepted message)
    {
        var request = message.B2B;
        var context = request.ObjectData?.ObjectContext;
        var people = context?.AccountPersonRelationships?.Where(r => r?.PersonId is not null).Select(r => r!.PersonId!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        return new NewRequest
        {
            RequestId = message.RequestId,
            ActionName = message.ActionName,
            ActionVersion = message.ActionVersion,
            Contract = message.Contract,
            EntityType = request.ObjectData?.ObjectType ?? "",
            LeadId = context?.LeadId,
            AccountId = context?.AccountId,
            PersonIds = people is { Count: > 0 } ? string.Join(',', people) : null,
            JourneyId = request.Context?.Journey?.Id,
            JourneyName = request.Context?.Journey?.Name,
            ImsOrgId = request.Context?.Subscription?.ImsOrgId,
            MunchkinId = request.Context?.Subscription?.MunchkinId,
            ReceivedAt = message.ReceivedAt,
            DeadlineAt = message.Deadline,
            RequestPayload = MaskedPayload(request),
            RequestHash = Hash(message),
        };
    }

    /// <summary>
    /// SHA-256 of everything the request is processed from (the whole request, token included, the header parameters
    /// and the action version): equal for the platform's retries of one call, different for a resubmission of the same
    /// token and entity with another body or callbackUrl, which must never change what is sent or where.
    /// </summary>
    public static string Hash(ActionAccepted message)
    {
        var json = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new HashedContent(message.ActionVersion, message.B2B, message.HttpHeaders), ContractJson.Options);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(json));
    }

    private sealed record HashedContent(string ActionVersion, ExecutionRequest Request, Dictionary<string, string>? HttpHeaders);

    public static string MaskedPayload(ExecutionRequest request)
    {
        var node = System.Text.Json.JsonSerializer.SerializeToNode(request, ContractJson.Options)!.AsObject();
        node.Remove("token");
        if (node["context"]?["admin"] is JsonObject admin)
            MaskValues(admin);
        if (node["customHeaders"] is JsonObject headers)
            MaskValues(headers);
        return node.ToJsonString(ContractJson.Options);
    }

    private static void MaskValues(JsonObject values)
    {
        foreach (var key in values.Select(p => p.Key).ToList())
            values[key] = Mask;
    }
}
