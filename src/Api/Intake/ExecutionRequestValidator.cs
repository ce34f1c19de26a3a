using System.Globalization;
using System.Net;
using ExternalAction.Actions;
using ExternalAction.Contracts.Platform;

namespace ExternalAction.Api.Intake;

/// <summary>
/// Checks a parsed execution request against the contract (§2) and the action it is for. Every problem is reported
/// with the JSON path of the field, so the platform's admin can see which mapping is wrong.
/// </summary>
public static class ExecutionRequestValidator
{
    private const int MaxTokenLength = 8192;
    private const int MaxPaths = 50;
    private const int MaxConditions = 50;
    private const int MaxRelationships = 1000;

    public static List<ErrorDetail> Validate(ExecutionRequest request, ActionDefinition action, IntakeOptions options)
    {
        var errors = new List<ErrorDetail>();

        if (request.Token is null)
            errors.Add(new("token", "is required"));
        else if (string.IsNullOrWhiteSpace(request.Token))
            errors.Add(new("token", "must not be empty"));
        else if (request.Token.Length > MaxTokenLength)
            errors.Add(new("token", $"must be at most {MaxTokenLength} characters"));
        else if (!HeaderValues.IsValidValue(request.Token))
            errors.Add(new("token", HeaderValues.ValueRule));

        if (request.Context?.Subscription?.ImsOrgId is { } org && !HeaderValues.IsValidValue(org))
            errors.Add(new("context.subscription.imsOrgId", HeaderValues.ValueRule));

        if (request.CallbackUrl is null)
            errors.Add(new("callbackUrl", "is required"));
        else if (CallbackUrlProblem(request.CallbackUrl, options) is { } problem)
            errors.Add(new("callbackUrl", problem));

        ValidateObjectData(request.ObjectData, action, errors);

        if (request.ActionConfig is { } config)
        {
            if (config.Timeout is < 1 or > 240)
                errors.Add(new("actionConfig.timeout", "must be between 1 and 240 minutes"));
            ValidatePathConfig(config.PathConfig, action, errors);
        }

        if (request.CustomHeaders is { Count: > 100 })
            errors.Add(new("customHeaders", "must hold at most 100 headers"));
        else if (request.CustomHeaders is { } headers)
            ValidateHeaders(headers, "customHeaders", errors);

        return errors;
    }

    /// <summary>Why a callback URL is refused, or null when it is allowed.</summary>
    public static string? CallbackUrlProblem(string url, IntakeOptions options)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || string.IsNullOrEmpty(uri.Host))
            return "must be an absolute https URL";
        if (!string.IsNullOrEmpty(uri.UserInfo))
            return "must not carry credentials";
        var loopback = uri.IsLoopback;
        if (uri.Scheme == "http")
            return options.AllowHttpLoopback && loopback ? null : "must use https";
        if (loopback && options.AllowHttpLoopback)
            return null;
        if (!HostAllowed(uri.IdnHost, options.CallbackHosts))
            return $"host '{uri.Host}' is not in the allowed callback hosts";
        var ports = options.CallbackPorts.Count > 0 ? options.CallbackPorts : IntakeOptions.DefaultCallbackPorts;
        return ports.Contains(uri.Port) ? null : $"port {uri.Port} is not an allowed callback port ({string.Join(", ", ports)})";
    }

    private static bool HostAllowed(string host, IEnumerable<string> allowed)
    {
        if (IPAddress.TryParse(host.Trim('[', ']'), out _))
            return allowed.Contains(host, StringComparer.OrdinalIgnoreCase);
        foreach (var pattern in allowed)
        {
            if (pattern.StartsWith("*.", StringComparison.Ordinal))
            {
                if (host.EndsWith(pattern[1..], StringComparison.OrdinalIgnoreCase) && host.Length > pattern.Length - 1)
                    return true;
            }
            else if (string.Equals(host, pattern, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Header names and values that header templates may copy into outbound requests.</summary>
    public static void ValidateHeaders(IReadOnlyDictionary<string, string> headers, string field, List<ErrorDetail> errors)
    {
        if (headers.Keys.Any(name => !HeaderValues.IsValidName(name)))
            errors.Add(new(field, $"names {HeaderValues.NameRule}"));
        foreach (var (name, value) in headers)
        {
            // A bad name is reported once above; it is not echoed into the path.
            if (value is not null && !HeaderValues.IsValidValue(value))
                errors.Add(new(HeaderValues.IsValidName(name) ? $"{field}.{name}" : field, HeaderValues.ValueRule));
        }
    }

    private static void ValidateObjectData(ObjectData? data, ActionDefinition action, List<ErrorDetail> errors)
    {
        if (data is null)
        {
            errors.Add(new("objectData", "is required"));
            return;
        }
        if (data.ObjectType is null)
        {
            errors.Add(new("objectData.objectType", "is required"));
            return;
        }
        if (!ObjectTypes.IsKnown(data.ObjectType))
        {
            errors.Add(new("objectData.objectType", $"must be one of {string.Join(", ", ObjectTypes.All)}"));
            return;
        }
        if (data.ObjectType != action.EntityType)
            errors.Add(new("objectData.objectType", $"this action takes '{action.EntityType}' entities"));

        var context = data.ObjectContext;
        if (context is null)
        {
            errors.Add(new("objectData.objectContext", "is required"));
            return;
        }
        const string Ctx = "objectData.objectContext";
        switch (data.ObjectType)
        {
            case ObjectTypes.Lead:
                Id(context.LeadId, $"{Ctx}.leadId", errors);
                if (context.LeadData is null) errors.Add(new($"{Ctx}.leadData", "is required"));
                break;
            case ObjectTypes.Account:
                Id(context.AccountId, $"{Ctx}.accountId", errors);
                if (context.AccountData is null) errors.Add(new($"{Ctx}.accountData", "is required"));
                break;
            case ObjectTypes.AccountPerson:
                Id(context.AccountId, $"{Ctx}.accountId", errors);
                if (context.AccountData is null) errors.Add(new($"{Ctx}.accountData", "is required"));
                ValidateRelationships(context.AccountPersonRelationships, errors);
                break;
        }
    }

    private static void ValidateRelationships(List<AccountPersonRelationship?>? relationships, List<ErrorDetail> errors)
    {
        const string Key = "objectData.objectContext.accountPersonRelationships";
        if (relationships is null)
        {
            errors.Add(new(Key, "is required"));
            return;
        }
        if (relationships.Count == 0)
            errors.Add(new(Key, "must hold at least one relationship"));
        if (relationships.Count > MaxRelationships)
            errors.Add(new(Key, $"must hold at most {MaxRelationships} relationships"));
        var seen = new HashSet<long>();
        for (var i = 0; i < Math.Min(relationships.Count, MaxRelationships); i++)
        {
            var r = relationships[i];
            var key = $"{Key}[{i}]";
            if (r is null)
            {
                errors.Add(new(key, "must be an object"));
                continue;
            }
            if (r.AccountPersonRelId is null) errors.Add(new($"{key}.accountPersonRelId", "is required"));
            else if (!seen.Add(r.AccountPersonRelId.Value)) errors.Add(new($"{key}.accountPersonRelId", "appears twice"));
            if (r.AccountId is null) errors.Add(new($"{key}.accountId", "is required"));
            if (r.PersonId is null) errors.Add(new($"{key}.personId", "is required"));
            if (r.LeadData is null) errors.Add(new($"{key}.leadData", "is required"));
        }
    }

    private static void ValidatePathConfig(List<PathConfig?>? paths, ActionDefinition action, List<ErrorDetail> errors)
    {
        if (paths is null)
            return;
        if (paths.Count > MaxPaths)
        {
            errors.Add(new("actionConfig.pathConfig", $"must hold at most {MaxPaths} paths"));
            return;
        }
        var accessors = action.AccessorsMetadata.Select(a => a.AccessorName).ToHashSet(StringComparer.Ordinal);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < paths.Count; i++)
        {
            var key = $"actionConfig.pathConfig[{i}]";
            var path = paths[i];
            if (path is null)
            {
                errors.Add(new(key, "must be an object"));
                continue;
            }
            if (string.IsNullOrWhiteSpace(path.PathId)) errors.Add(new($"{key}.pathId", "is required"));
            else if (!ids.Add(path.PathId)) errors.Add(new($"{key}.pathId", $"'{Shorten(path.PathId)}' is used by more than one path"));
            if (path.PathDefinition is null)
            {
                errors.Add(new($"{key}.pathDefinition", "is required (an empty array for the default path)"));
                continue;
            }
            if (path.PathDefinition.Count > MaxConditions)
                errors.Add(new($"{key}.pathDefinition", $"must hold at most {MaxConditions} conditions"));
            for (var j = 0; j < Math.Min(path.PathDefinition.Count, MaxConditions); j++)
            {
                var c = path.PathDefinition[j];
                var ckey = $"{key}.pathDefinition[{j}]";
                if (c is null)
                {
                    errors.Add(new(ckey, "must be an object"));
                    continue;
                }
                if (string.IsNullOrWhiteSpace(c.Accessor)) errors.Add(new($"{ckey}.accessor", "is required"));
                else if (!accessors.Contains(c.Accessor)) errors.Add(new($"{ckey}.accessor", $"'{Shorten(c.Accessor)}' is not an accessor of this action ({(accessors.Count == 0 ? "it declares none" : string.Join(", ", accessors))})"));
                if (c.Operator is null) errors.Add(new($"{ckey}.operator", "is required"));
                else if (!PathOperators.IsKnown(c.Operator)) errors.Add(new($"{ckey}.operator", $"'{Shorten(c.Operator)}' is not one of {string.Join(", ", PathOperators.All)}"));
                if (c.Values is null) errors.Add(new($"{ckey}.values", "is required"));
                else if (c.Values.Count == 0) errors.Add(new($"{ckey}.values", "must hold at least one value"));
                else if (c.Values.Any(v => v is null)) errors.Add(new($"{ckey}.values", "must hold strings, not null"));
            }
        }
    }

    private static void Id(string? value, string key, List<ErrorDetail> errors)
    {
        if (value is null)
            errors.Add(new(key, "is required"));
        else if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            errors.Add(new(key, "must be an integer id (digits): the callback returns it as an int64"));
    }

    private static string Shorten(string value) => value.Length <= 64 ? value : value[..64] + "…";
}
