using System.Text.Json.Nodes;
using ExternalAction.Actions;
using ExternalAction.Api.Ajo;
using ExternalAction.Api.Intake;
using ExternalAction.Api.Sfmc;
using ExternalAction.Contracts.Messaging;
using ExternalAction.Contracts.Platform;
using ExternalAction.Contracts.ServiceDefinitions;
using Microsoft.Extensions.Options;

namespace ExternalAction.Api.Preview;

/// <summary>
/// A valid sample request for an action and contract, built from the action's own declarations, so the console's preview
/// page starts from something its contract's checks accept: B2B an execution request for the entity type the service
/// definition supports (its field and flow attributes filled by data type, a callback URL the intake policy allows); SFMC
/// the execute payload <see cref="SfmcValidation.Placeholders"/> builds; AJO the declared request payload with each mapped
/// field given a value of its type.
/// </summary>
public sealed class PreviewSamples(AjoDeclarations ajo, IOptions<IntakeOptions> intake)
{
    public JsonObject For(ActionDefinition action, string contract) => contract switch
    {
        ContractNames.Sfmc => SfmcValidation.Placeholders(action),
        ContractNames.AjoCustomAction => (JsonObject)Ajo(ajo.Find(action)!.Request, "value"),
        _ => B2B(action),
    };

    private JsonObject B2B(ActionDefinition action)
    {
        var definition = action.ServiceDefinition;
        var invocation = definition.InvocationPayloadDef;
        var lead = Attributes(invocation?.Fields);
        lead.TryAdd("email", "jane@example.com");
        var account = Attributes(invocation?.AccountFields);
        account.TryAdd("accountName", "Acme Corporation");
        var flow = new JsonObject();
        foreach (var attribute in invocation?.FlowAttributes ?? [])
        {
            if (attribute.ApiName is { } name)
                flow[name] = Value(attribute.DataType, name);
        }
        JsonObject context = action.EntityType switch
        {
            ObjectTypes.Account => new() { ["accountId"] = "67890", ["accountData"] = account },
            ObjectTypes.AccountPerson => new()
            {
                ["accountId"] = "67890",
                ["accountData"] = account,
                ["accountPersonRelationships"] = new JsonArray(new JsonObject
                {
                    ["accountPersonRelId"] = 9001, ["accountId"] = 67890, ["personId"] = 12345, ["leadData"] = lead,
                    ["relationshipMetadata"] = new JsonObject { ["role"] = "decision-maker" },
                }),
            },
            _ => new() { ["leadId"] = "12345", ["leadData"] = lead },
        };
        return new JsonObject
        {
            ["token"] = "preview-sample-token",
            ["callbackUrl"] = CallbackUrl(),
            ["context"] = new JsonObject
            {
                ["subscription"] = new JsonObject { ["imsOrgId"] = "12345@AdobeOrg", ["munchkinId"] = "123-ABC-456" },
                ["journey"] = new JsonObject { ["id"] = "journey-1", ["name"] = "Preview journey" },
            },
            ["objectData"] = new JsonObject { ["objectType"] = action.EntityType, ["objectContext"] = context, ["flowStepContext"] = flow },
            ["actionConfig"] = definition.EnableSplitPaths == true
                // A split's default path: the journey's own paths go in its place to preview the one selected.
                ? new JsonObject { ["timeout"] = Timeout(definition), ["pathConfig"] = new JsonArray(new JsonObject { ["pathId"] = "default", ["pathDefinition"] = new JsonArray() }) }
                : new JsonObject { ["timeout"] = Timeout(definition) },
            ["enableSplitPaths"] = definition.EnableSplitPaths ?? false,
        };
    }

    private static int Timeout(Contracts.ServiceDefinitions.ServiceDefinition definition) => definition.Timeout is >= 1 and <= 240 ? definition.Timeout.Value : 60;

    private static JsonObject Attributes(List<FieldMapping>? fields)
    {
        var data = new JsonObject();
        foreach (var field in fields ?? [])
        {
            if ((field.ServiceAttribute ?? field.ApiName) is { } name && !data.ContainsKey(name))
                data[name] = Value(field.DataType, name);
        }
        return data;
    }

    /// <summary>A callback URL the intake policy accepts: on the first allowed callback host, else on loopback when that is allowed.</summary>
    private string CallbackUrl()
    {
        var options = intake.Value;
        var host = options.CallbackHosts.FirstOrDefault(h => !h.StartsWith("*.", StringComparison.Ordinal))
            ?? options.CallbackHosts.Select(h => "callbacks" + h[1..]).FirstOrDefault();
        var url = host is not null ? $"https://{host}/preview/callback"
            : options.AllowHttpLoopback ? "http://127.0.0.1/preview/callback" : "https://callbacks.adobe.io/preview/callback";
        return ExecutionRequestValidator.CallbackUrlProblem(url, options) is null ? url : "https://callbacks.adobe.io/preview/callback";
    }

    private static JsonNode Value(string? dataType, string name) => dataType?.ToLowerInvariant() switch
    {
        "integer" or "int" or "long" => JsonValue.Create(42),
        "float" or "double" or "decimal" or "number" or "currency" => JsonValue.Create(4.2),
        "boolean" or "bool" => JsonValue.Create(true),
        "date" => JsonValue.Create("2026-01-15"),
        "datetime" => JsonValue.Create("2026-01-15T09:00:00Z"),
        "email" => JsonValue.Create("jane@example.com"),
        "phone" => JsonValue.Create("+15555550100"),
        _ => JsonValue.Create(name.Contains("email", StringComparison.OrdinalIgnoreCase) ? "jane@example.com" : $"sample {name}"),
    };

    private static JsonNode Ajo(PayloadDeclaration declaration, string name) => declaration switch
    {
        PayloadDeclaration.Constant constant => constant.Value.DeepClone(),
        PayloadDeclaration.ListOf list => new JsonArray(Ajo(list.Item, name)),
        PayloadDeclaration.ObjectOf obj => new JsonObject(obj.Properties.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)Ajo(p.Value, p.Key)))),
        PayloadDeclaration.Mapped mapped => mapped.DataType switch
        {
            "integer" => JsonValue.Create(42),
            "decimal" => JsonValue.Create(4.2),
            "boolean" => JsonValue.Create(true),
            "dateTime" => JsonValue.Create("2026-01-15T09:00:00Z"),
            _ => JsonValue.Create(name.Contains("email", StringComparison.OrdinalIgnoreCase) ? "jane@example.com" : $"sample-{name}"),
        },
        _ => JsonValue.Create("sample"),
    };
}
