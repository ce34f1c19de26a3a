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
        var request = message.Request;
        var context = request.ObjectData?.ObjectContext;
        var people = context?.AccountPersonRelationships?.Where(r => r?.PersonId is not null).Select(r => r!.PersonId!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        return new NewRequest
        {
            RequestId = message.RequestId,
            ActionName = message.ActionName,
            ActionVersion = message.ActionVersion,
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
        };
    }

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
