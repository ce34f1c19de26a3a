using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ExternalAction.Actions;
using ExternalAction.Actions.Sfmc;

namespace ExternalAction.Api.Sfmc;

/// <summary>
/// Reads what Journey Builder sends, after the signature check, into checked values: the execute payload's in-arguments
/// (an array of one-key objects) and ids, and the body of save, validate, publish and stop. Everything in them is
/// platform data: lengths and characters are checked here, before any of it reaches a work item, a row or a log line.
/// A problem names the argument, never echoes its value.
/// </summary>
public static class SfmcPayloads
{
    /// <summary>Longest id accepted (the status row's identity columns hold 256).</summary>
    public const int MaxIdLength = 256;

    public static (ExecuteCall? Call, SfmcError? Error) ReadExecute(JsonObject payload, ActionDefinition action)
    {
        var sfmc = action.Sfmc!;
        var declared = sfmc.InArguments.ToDictionary(a => a.Name, StringComparer.Ordinal);
        var values = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        if (payload["inArguments"] is not (null or JsonArray))
            return (null, new SfmcError("inArguments must be an array of one-key objects.", "inArguments"));
        var items = payload["inArguments"] as JsonArray ?? [];
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is not JsonObject item)
                return (null, new SfmcError($"inArguments[{i}] must be an object such as {{\"contactKey\":\"…\"}}.", $"inArguments[{i}]"));
            foreach (var (name, value) in item)
            {
                if (!declared.TryGetValue(name, out var argument))
                    return (null, new SfmcError($"Unknown in-argument '{Shown(name)}': this activity declares {string.Join(", ", declared.Keys)}.", Shown(name)));
                if (values.ContainsKey(name))
                    return (null, new SfmcError($"In-argument '{name}' is sent twice.", name));
                if (Problem(argument, value, action) is { } problem)
                    return (null, new SfmcError($"In-argument '{name}' {problem}.", name));
                values[name] = value?.DeepClone();
            }
        }
        foreach (var argument in sfmc.InArguments.Where(a => a.Required))
        {
            if (!values.TryGetValue(argument.Name, out var value) || value is null || value.GetValueKind() == JsonValueKind.String && value.GetValue<string>().Length == 0)
                return (null, new SfmcError($"Missing required in-argument '{argument.Name}'.", argument.Name));
        }

        var ids = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (name, required) in new[] { ("activityId", true), ("definitionInstanceId", true), ("keyValue", true), ("journeyId", false), ("activityInstanceId", false) })
        {
            var node = payload[name];
            if (node is null)
            {
                if (required)
                    return (null, new SfmcError($"Missing '{name}' in the execute payload.", name));
                ids[name] = null;
                continue;
            }
            if (IdProblem(node) is { } problem)
                return (null, new SfmcError($"'{name}' {problem}.", name));
            ids[name] = node.GetValue<string>();
        }
        return (new ExecuteCall(values, ids["activityId"]!, ids["definitionInstanceId"]!, ids["keyValue"]!, ids["journeyId"], ids["activityInstanceId"]), null);
    }

    /// <summary>save, validate, publish and stop: <c>activityObjectID</c>, <c>interactionId</c>, <c>originalDefinitionId</c>, <c>interactionKey</c>, <c>interactionVersion</c>.</summary>
    public static (ConfigurationCall? Call, SfmcError? Error) ReadConfiguration(JsonObject body, bool journeyRequired)
    {
        var ids = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var name in new[] { "activityObjectID", "interactionId", "originalDefinitionId", "interactionKey", "interactionVersion" })
        {
            var node = body[name];
            if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && name == "interactionVersion")
                node = v.ToJsonString();
            if (node is null || node.GetValueKind() == JsonValueKind.String && node.GetValue<string>().Length == 0)
            {
                ids[name] = null;
                continue;
            }
            if (IdProblem(node) is { } problem)
                return (null, new SfmcError($"'{name}' {problem}.", name));
            ids[name] = node.GetValue<string>();
        }
        if (journeyRequired)
        {
            foreach (var name in new[] { "activityObjectID", "interactionId", "interactionVersion" })
                if (ids[name] is null)
                    return (null, new SfmcError($"Missing '{name}': publish and stop must say which journey version and activity they are for.", name));
        }
        return (new ConfigurationCall(ids["activityObjectID"], ids["interactionId"], ids["originalDefinitionId"], ids["interactionKey"], ids["interactionVersion"]), null);
    }

    private static string? IdProblem(JsonNode node)
    {
        if (node.GetValueKind() != JsonValueKind.String)
            return "must be a string";
        var text = node.GetValue<string>();
        if (text.Length is 0 or > MaxIdLength)
            return $"must be 1-{MaxIdLength} characters";
        return text.Any(c => char.IsControl(c) || char.IsSurrogate(c)) ? "must not hold control characters" : null;
    }

    private static string? Problem(SfmcInArgument argument, JsonNode? value, ActionDefinition action)
    {
        if (value is null)
            return null;
        var kind = value.GetValueKind();
        if (kind is JsonValueKind.Object or JsonValueKind.Array)
            return "must be a single value, not an object or array";
        var text = kind == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString();
        if (text.Length > argument.MaxLength)
            return $"is longer than {argument.MaxLength} characters";
        if (text.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t')))
            return "must not hold control characters";
        switch (argument.DataType)
        {
            case "Number" when kind != JsonValueKind.Number && !(text.Length == 0 || double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _)):
                return "must be a number";
            case "Boolean" when kind is not (JsonValueKind.True or JsonValueKind.False) && text is not ("" or "true" or "false" or "True" or "False"):
                return "must be true or false";
        }
        if (argument.Format == "url" && text.Length > 0 && ChannelUrls.FromValue(text, action.Channel.AllowedHosts, out var problem) is null)
            return problem;
        return null;
    }

    /// <summary>A name the caller sent, cut and cleaned for an error message (it is not one of ours).</summary>
    private static string Shown(string name)
    {
        var clean = new string(name.Take(64).Where(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.').ToArray());
        return clean.Length == 0 ? "?" : clean;
    }
}

/// <summary>One contact's execute, checked: the in-arguments by name and the ids.</summary>
public sealed record ExecuteCall(
    IReadOnlyDictionary<string, JsonNode?> InArguments, string ActivityId, string DefinitionInstanceId, string KeyValue,
    string? JourneyId, string? ActivityInstanceId);

/// <summary>A save, validate, publish or stop call, checked.</summary>
public sealed record ConfigurationCall(string? ActivityObjectId, string? InteractionId, string? OriginalDefinitionId, string? InteractionKey, string? InteractionVersion);

/// <summary>The error body of every SFMC endpoint: a message for the admin or marketer and, when one is to blame, the argument.</summary>
public sealed record SfmcError(string Message, string? Argument = null);
