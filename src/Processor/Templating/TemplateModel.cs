using System.Text.Json;
using System.Text.Json.Nodes;
using ExternalAction.Actions;
using ExternalAction.Contracts.Json;
using ExternalAction.Contracts.Messaging;

namespace ExternalAction.Processor.Templating;

/// <summary>
/// What templates can name. Built from the execution request; the callback token is never part of it.
/// <c>lead</c> (id + leadData), <c>account</c> (id + accountData), <c>relationships</c> (one per person: ids, leadData
/// fields and <c>metadata</c>), <c>flow</c> (flowStepContext), <c>context</c>, <c>subscription</c>, <c>journey</c>,
/// <c>admin</c>, <c>headers</c> (customHeaders overlaid by header parameters sent as HTTP headers), <c>requestId</c>,
/// <c>action</c>, <c>objectType</c>, <c>receivedAt</c>, <c>deadline</c>.
/// </summary>
public static class TemplateModel
{
    public static JsonObject Create(ActionAccepted message, ActionDefinition action)
    {
        var request = message.B2B;
        var context = request.ObjectData?.ObjectContext;
        var lead = new JsonObject();
        if (context?.LeadId is { } leadId)
            lead["id"] = leadId;
        Merge(lead, context?.LeadData);
        var account = new JsonObject();
        if (context?.AccountId is { } accountId)
            account["id"] = accountId;
        Merge(account, context?.AccountData);

        var relationships = new JsonArray();
        foreach (var r in context?.AccountPersonRelationships ?? [])
        {
            if (r is null)
                continue;
            var person = new JsonObject
            {
                ["accountPersonRelId"] = r.AccountPersonRelId,
                ["accountId"] = r.AccountId,
                ["personId"] = r.PersonId,
                ["mktoGuid"] = r.MktoGuid,
                ["isEmployee"] = r.IsEmployee,
            };
            Merge(person, r.LeadData);
            person["metadata"] = r.RelationshipMetadata?.DeepClone();
            relationships.Add(person);
        }

        var headers = new JsonObject();
        foreach (var (name, value) in request.CustomHeaders ?? [])
            headers[name] = value;
        foreach (var (name, value) in message.HttpHeaders ?? [])
            headers[name] = value;

        var requestContext = request.Context is null ? new JsonObject() : JsonSerializer.SerializeToNode(request.Context, ContractJson.Options)!.AsObject();
        return new JsonObject
        {
            ["requestId"] = message.RequestId,
            ["action"] = new JsonObject { ["name"] = action.Name, ["version"] = action.Version },
            ["objectType"] = request.ObjectData?.ObjectType,
            ["lead"] = lead,
            ["account"] = account,
            ["relationships"] = relationships,
            ["flow"] = request.ObjectData?.FlowStepContext?.DeepClone() ?? new JsonObject(),
            ["subscription"] = requestContext["subscription"]?.DeepClone() ?? new JsonObject(),
            ["journey"] = requestContext["journey"]?.DeepClone() ?? new JsonObject(),
            ["admin"] = requestContext["admin"]?.DeepClone() ?? new JsonObject(),
            ["context"] = requestContext,
            ["headers"] = headers,
            ["receivedAt"] = message.ReceivedAt.ToString("O"),
            ["deadline"] = message.Deadline.ToString("O"),
        };
    }

    private static void Merge(JsonObject target, JsonObject? source)
    {
        foreach (var (key, value) in source ?? [])
            target[key] = value?.DeepClone();
    }
}
