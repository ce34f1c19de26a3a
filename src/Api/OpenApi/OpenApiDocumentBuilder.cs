using System.Text.Json.Nodes;
using ExternalAction.Actions;
using ExternalAction.Api.Authentication;
using ExternalAction.Api.Intake;

namespace ExternalAction.Api.OpenApi;

/// <summary>
/// The OpenAPI 3.0 document an administrator registers with the platform for one action: the three required paths,
/// exactly one security scheme (the one configured), <c>servers[0].url</c>, and the <c>x-</c> extensions the
/// platform's validator looks for.
/// </summary>
public static class OpenApiDocumentBuilder
{
    public static JsonObject Build(ActionDefinition action, ActionCatalog catalog, CallerAuthOptions auth, IntakeOptions options, string baseUrl)
    {
        var sd = action.ServiceDefinition;
        var name = sd.I18n?.EnUs?.Name ?? action.Name;
        // info.title must be unique per action in the platform org: suffix the action name where two would clash.
        var clash = catalog.All.Count(a => (a.ServiceDefinition.I18n?.EnUs?.Name ?? a.Name) == name) > 1;
        var title = clash ? $"{name} ({action.Name})" : name;
        var (schemeName, scheme) = SecuritySchemeDocument.For(auth, $"{baseUrl.TrimEnd('/')}/oauth/token");

        return new JsonObject
        {
            ["openapi"] = "3.0.3",
            ["info"] = new JsonObject
            {
                ["title"] = title,
                ["description"] = sd.I18n?.EnUs?.Description ?? sd.Description ?? title,
                ["version"] = action.Version,
                ["x-providerName"] = options.ProviderName,
                ["x-schemaVersion"] = "1.0.0",
                ["x-supportContact"] = options.SupportContact,
            },
            ["servers"] = new JsonArray(new JsonObject { ["url"] = baseUrl }),
            ["security"] = new JsonArray(new JsonObject { [schemeName] = new JsonArray() }),
            ["paths"] = new JsonObject
            {
                ["/getServiceDefinition"] = Path("get", "getServiceDefinition", "Get Service Definition",
                    Responses(("200", "Service definition", "ServiceDefinition"), ("401", "Authentication required", "Error"), ("500", "Internal error", "Error"))),
                ["/submitAsyncAction"] = Path("post", "submitAsyncAction", "Submit Async Action",
                    Responses(("200", "Request accepted", "ExecutionResponse"), ("400", "Invalid request", "Error"),
                        ("401", "Authentication required", "Error"), ("413", "Body too large", "Error"),
                        ("415", "Unsupported media type", "Error"), ("500", "Internal error", "Error"), ("503", "Queue unavailable; retry", "Error")),
                    requestBody: true),
                ["/status"] = Path("get", "statusCheck", "Status Check",
                    Responses(("200", "Service is operational", "StatusResponse"), ("503", "Service cannot take work", "Error"))),
            },
            ["components"] = new JsonObject
            {
                ["securitySchemes"] = new JsonObject { [schemeName] = scheme },
                ["schemas"] = Schemas(),
            },
        };
    }

    private static JsonObject Path(string method, string operationId, string summary, JsonObject responses, bool requestBody = false)
    {
        var operation = new JsonObject
        {
            ["summary"] = summary,
            ["operationId"] = operationId,
            ["responses"] = responses,
        };
        if (requestBody)
            operation["requestBody"] = new JsonObject
            {
                ["required"] = true,
                ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = Ref("ExecutionRequest") } },
            };
        return new JsonObject { ["x-required"] = true, ["x-implemented-by"] = "partner", [method] = operation };
    }

    private static JsonObject Responses(params (string Code, string Description, string Schema)[] responses)
    {
        var result = new JsonObject();
        foreach (var (code, description, schema) in responses)
            result[code] = new JsonObject
            {
                ["description"] = description,
                ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = Ref(schema) } },
            };
        return result;
    }

    private static JsonObject Ref(string schema) => new() { ["$ref"] = $"#/components/schemas/{schema}" };

    private static JsonObject Schemas() => new()
    {
        ["ServiceDefinition"] = new JsonObject
        {
            ["type"] = "object",
            ["required"] = new JsonArray("apiName", "i18n", "description", "invocationPayloadDef", "callbackPayloadDef", "primaryAttribute", "enableSplitPaths", "supportedEntityType"),
        },
        ["ExecutionRequest"] = new JsonObject
        {
            ["type"] = "object",
            ["required"] = new JsonArray("token", "objectData", "callbackUrl"),
            ["properties"] = new JsonObject
            {
                ["token"] = new JsonObject { ["type"] = "string" },
                ["callbackUrl"] = new JsonObject { ["type"] = "string", ["format"] = "uri" },
                ["context"] = new JsonObject { ["type"] = "object" },
                ["objectData"] = new JsonObject { ["type"] = "object" },
                ["actionConfig"] = new JsonObject { ["type"] = "object" },
                ["customHeaders"] = new JsonObject { ["type"] = "object" },
                ["enableSplitPaths"] = new JsonObject { ["type"] = "boolean" },
            },
        },
        ["ExecutionResponse"] = new JsonObject
        {
            ["type"] = "object",
            ["required"] = new JsonArray("status", "requestId"),
            ["properties"] = new JsonObject
            {
                ["status"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("accepted") },
                ["requestId"] = new JsonObject { ["type"] = "string" },
                ["message"] = new JsonObject { ["type"] = "string" },
            },
        },
        ["StatusResponse"] = new JsonObject
        {
            ["type"] = "object",
            ["properties"] = new JsonObject
            {
                ["status"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("healthy") },
                ["timestamp"] = new JsonObject { ["type"] = "string", ["format"] = "date-time" },
            },
        },
        ["Error"] = new JsonObject
        {
            ["type"] = "object",
            ["required"] = new JsonArray("status", "code", "message"),
            ["properties"] = new JsonObject
            {
                ["status"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("error") },
                ["code"] = new JsonObject { ["type"] = "string" },
                ["message"] = new JsonObject { ["type"] = "string" },
                ["details"] = new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "object" } },
                ["timestamp"] = new JsonObject { ["type"] = "string", ["format"] = "date-time" },
                ["requestId"] = new JsonObject { ["type"] = "string" },
            },
        },
    };
}
