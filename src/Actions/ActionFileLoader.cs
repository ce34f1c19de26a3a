using System.Text.Json;
using System.Text.Json.Nodes;
using ExternalAction.Contracts.Json;
using ExternalAction.Contracts.ServiceDefinitions;

namespace ExternalAction.Actions;

/// <summary>
/// Reads an action definition file: <c>{"actions":[{ "name", "version", "serviceDefinition" | "serviceDefinitionFile",
/// "channel", "accessors", "callbackFields", "activityAttributes", "auth" }]}</c> plus the sections of the other faces
/// (<see cref="ActionDefinition.OtherFaceKeys"/>); the service definition may be left out when one of those is given. A service definition file may be
/// JSON or YAML (Adobe's samples are both) and is resolved relative to the action file.
/// </summary>
public static class ActionFileLoader
{
    private static readonly JsonSerializerOptions Json = CreateOptions();

    public static ActionCatalog Load(string path)
    {
        var fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
            throw new ActionDefinitionException($"Action definition file '{fullPath}' does not exist (setting {ActionsOptions.Section}:File).");

        JsonNode? root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(fullPath), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new ActionDefinitionException($"Action definition file '{fullPath}' is not valid JSON: {e.Message}");
        }

        if (root?["actions"] is not JsonArray items || items.Count == 0)
            throw new ActionDefinitionException($"Action definition file '{fullPath}': key 'actions' must be a non-empty array.");

        var errors = new List<string>();
        var actions = new List<ActionDefinition>();
        for (var i = 0; i < items.Count; i++)
        {
            var label = items[i]?["name"]?.GetValueKind() == JsonValueKind.String ? items[i]!["name"]!.GetValue<string>() : $"#{i}";
            var problems = new List<string>();
            var action = ReadAction(items[i], Path.GetDirectoryName(fullPath)!, problems);
            if (action is not null)
                problems.AddRange(ActionValidator.Validate(action));
            errors.AddRange(problems.Select(p => $"action '{label}': {p}"));
            if (action is not null && problems.Count == 0)
                actions.Add(action);
        }

        foreach (var duplicate in actions.GroupBy(a => a.Name).Where(g => g.Count() > 1))
            errors.Add($"action '{duplicate.Key}': key 'name' is used by more than one action.");

        if (errors.Count > 0)
            throw ActionDefinitionException.Invalid(fullPath, errors);

        return new ActionCatalog(actions, fullPath);
    }

    /// <summary>Reads one service definition file (JSON or YAML) into the normalised typed model.</summary>
    public static ServiceDefinition LoadServiceDefinition(string path)
    {
        var node = ReadDocument(path);
        return Normalize(node.Deserialize<ServiceDefinition>(Json)!);
    }

    private static ActionDefinition? ReadAction(JsonNode? item, string baseDirectory, List<string> problems)
    {
        if (item is not JsonObject obj)
        {
            problems.Add("must be a JSON object.");
            return null;
        }

        if (obj["serviceDefinitionFile"] is JsonValue fileValue)
        {
            var file = fileValue.GetValue<string>();
            var resolved = Path.IsPathRooted(file) ? file : Path.Combine(baseDirectory, file);
            if (!File.Exists(resolved))
            {
                problems.Add($"key 'serviceDefinitionFile': file '{resolved}' does not exist.");
                return null;
            }
            try
            {
                obj = (JsonObject)obj.DeepClone();
                obj.Remove("serviceDefinitionFile");
                obj["serviceDefinition"] = ReadDocument(resolved);
            }
            catch (Exception e) when (e is JsonException or YamlDotNet.Core.YamlException)
            {
                problems.Add($"key 'serviceDefinitionFile': '{resolved}' cannot be read: {e.Message}");
                return null;
            }
        }

        var servesB2B = obj["serviceDefinition"] is not null;
        if (!servesB2B && !ActionDefinition.OtherFaceKeys.Any(obj.ContainsKey))
        {
            problems.Add($"key 'serviceDefinition': required (or 'serviceDefinitionFile'), unless the action declares another face ({string.Join(", ", ActionDefinition.OtherFaceKeys.Select(k => $"'{k}'"))}).");
            return null;
        }
        try
        {
            var action = obj.Deserialize<ActionDefinition>(Json);
            return action is null ? null : action with
            {
                ServiceDefinition = Normalize(action.ServiceDefinition),
                ServesB2B = servesB2B,
                OtherFaces = [.. ActionDefinition.OtherFaceKeys.Where(obj.ContainsKey)],
            };
        }
        catch (JsonException e)
        {
            var key = string.IsNullOrEmpty(e.Path) ? "" : $"key '{e.Path.TrimStart('$', '.')}': ";
            problems.Add($"{key}{FirstSentence(e.Message)}");
            return null;
        }
    }

    private static JsonNode ReadDocument(string path)
    {
        var text = File.ReadAllText(path);
        var node = path.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".yml", StringComparison.OrdinalIgnoreCase)
            ? YamlToJson.Convert(text)
            : JsonNode.Parse(text);
        return node ?? throw new JsonException($"'{path}' is empty.");
    }

    /// <summary>Brings the variants found in Adobe's samples to the reference schema's shapes.</summary>
    private static ServiceDefinition Normalize(ServiceDefinition? definition)
    {
        if (definition is null)
            return new ServiceDefinition();
        return definition with
        {
            InvocationPayloadDef = definition.InvocationPayloadDef is { } inv
                ? inv with
                {
                    Fields = NormalizeFields(inv.Fields),
                    AccountFields = NormalizeFields(inv.AccountFields),
                    Headers = inv.Headers?.Select(h => new HeaderAttribute
                    {
                        Name = h.Name ?? h.HeaderName,
                        Value = h.Value ?? h.DefaultValue ?? "",
                        Description = h.Description,
                    }).ToList(),
                }
                : null,
            CallbackPayloadDef = definition.CallbackPayloadDef is { } cb
                ? cb with { Fields = NormalizeFields(cb.Fields), AccountFields = NormalizeFields(cb.AccountFields) }
                : null,
        };
    }

    private static List<FieldMapping>? NormalizeFields(List<FieldMapping>? fields) =>
        fields?.Select(f => new FieldMapping
        {
            ServiceAttribute = f.ServiceAttribute ?? f.ApiName,
            DataType = f.DataType,
            Required = f.Required,
            Description = f.Description ?? f.I18n?.EnUs?.Description ?? f.I18n?.EnUs?.DisplayName,
        }).ToList();

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(". Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..(cut + 1)] : message;
    }

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions { ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
        ContractJson.Configure(options);
        options.RespectRequiredConstructorParameters = true;
        return options;
    }
}
