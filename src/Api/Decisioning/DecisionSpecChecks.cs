using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ExternalAction.Actions;
using ExternalAction.Actions.Decisioning;
using ExternalAction.Actions.Templates;
using ExternalAction.Contracts.Platform;
using ExternalAction.Processor.Accessors;

namespace ExternalAction.Api.Decisioning;

/// <summary>
/// What a <see cref="DecisionSpec"/> must satisfy before the service starts: unique rule ids, known operators and data
/// types, paths inside the JSON-path subset, one data type per path, a lookup URL whose host no call can choose, constant
/// headers, a supported auth with its secret named, fields or rules for the lookup's response, and a fallback wherever
/// one can be reached. Each problem names the key under <c>key</c>; <paramref name="result"/> checks each result's shape.
/// </summary>
public static partial class DecisionSpecChecks
{
    public static IEnumerable<string> Problems(DecisionSpec spec, string key, Func<JsonNode?, string, IEnumerable<string>> result)
    {
        foreach (var p in Rules(spec.Rules, $"{key}.rules", result))
            yield return p;
        var hasDefault = spec.Rules.Any(r => r.When.Count == 0);
        if (spec.Lookup is { } lookup)
        {
            foreach (var p in Lookup(lookup, $"{key}.lookup", result))
                yield return p;
        }
        if (spec.Fallback is null && (spec.Lookup is not null || !hasDefault))
            yield return $"key '{key}.fallback': is required (it answers when {(spec.Lookup is null ? "no rule matches" : "the lookup fails or is too slow")}).";
        else if (spec.Fallback is not null)
        {
            foreach (var p in result(spec.Fallback, $"{key}.fallback"))
                yield return p;
        }
    }

    private static IEnumerable<string> Rules(List<DecisionRule> rules, string key, Func<JsonNode?, string, IEnumerable<string>> result)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var types = new Dictionary<string, string?>(StringComparer.Ordinal);
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            var at = $"{key}[{i}]";
            if (rule.Id is null || !IdPattern().IsMatch(rule.Id))
                yield return $"key '{at}.id': must be 1-64 characters of letters, digits, '-', '_' or '.'.";
            else if (!ids.Add(rule.Id))
                yield return $"key '{at}.id': '{rule.Id}' is used by more than one rule.";
            if (rule.Result is null)
                yield return $"key '{at}.result': is required.";
            else
            {
                foreach (var p in result(rule.Result, $"{at}.result"))
                    yield return p;
            }
            for (var j = 0; j < rule.When.Count; j++)
            {
                var c = rule.When[j];
                var ck = $"{at}.when[{j}]";
                if (!JsonPath.IsValid(c.Path))
                    yield return $"key '{ck}.path': '{c.Path}' is not a supported JSON path (names, [index] and ['quoted'] steps only).";
                else if (types.TryGetValue(c.Path, out var earlier) && earlier != c.DataType)
                    yield return $"key '{ck}.dataType': path '{c.Path}' is read as '{earlier ?? "(inferred)"}' by an earlier condition; one path, one data type.";
                else
                    types[c.Path] = c.DataType;
                if (!PathOperators.IsKnown(c.Operator))
                    yield return $"key '{ck}.operator': must be one of {string.Join(", ", PathOperators.All)}.";
                if (c.DataType is not null && !DataTypes.IsKnown(c.DataType))
                    yield return $"key '{ck}.dataType': must be one of {string.Join(", ", DataTypes.All)}.";
                if (c.Values.Count == 0 || c.Values.Any(v => v is null))
                    yield return $"key '{ck}.values': must hold at least one value and no null.";
            }
            if (i < rules.Count - 1 && rule.When.Count == 0)
                yield return $"key '{at}.when': a rule without conditions always matches, so the rules after it could never; put it last.";
        }
    }

    private static IEnumerable<string> Lookup(DecisionLookup lookup, string key, Func<JsonNode?, string, IEnumerable<string>> result)
    {
        if (!LiquidSyntax.TryParse(lookup.Url ?? "", out var error))
            yield return $"key '{key}.url': the template does not parse: {error}";
        else if (ChannelUrls.Origin(lookup.Url!, isTemplate: true, out var problem) is null)
            yield return $"key '{key}.url': {problem}.";
        if (lookup.Method is not ("GET" or "POST"))
            yield return $"key '{key}.method': must be GET or POST.";
        foreach (var (name, value) in lookup.Headers)
        {
            if (!HeaderName().IsMatch(name))
                yield return $"key '{key}.headers.{name}': is not a valid header name.";
            if (value.Contains("{{", StringComparison.Ordinal) || value.Contains("{%", StringComparison.Ordinal) || value.Any(char.IsControl))
                yield return $"key '{key}.headers.{name}': header values are constants (no placeholders, no control characters).";
        }
        if (lookup.Auth.Type is not (ChannelAuthTypes.None or ChannelAuthTypes.Bearer or ChannelAuthTypes.Basic or ChannelAuthTypes.ApiKey))
            yield return $"key '{key}.auth.type': must be none, bearer, basic or apiKey.";
        else if (lookup.Auth.Type != ChannelAuthTypes.None && string.IsNullOrWhiteSpace(lookup.Auth.Secret))
            yield return $"key '{key}.auth.secret': names the secret to use and is required for this auth type.";
        if (lookup.Auth.Type == ChannelAuthTypes.Basic && string.IsNullOrEmpty(lookup.Auth.Username))
            yield return $"key '{key}.auth.username': is required for basic auth.";
        if (lookup.Fields.Count > 0 == lookup.Rules.Count > 0)
            yield return $"key '{key}': give either 'fields' (result field → response path) or 'rules' (over the response), not both or neither.";
        foreach (var (field, path) in lookup.Fields)
        {
            if (!JsonPath.IsValid(path))
                yield return $"key '{key}.fields.{field}': '{path}' is not a supported JSON path.";
        }
        foreach (var p in Rules(lookup.Rules, $"{key}.rules", result))
            yield return p;
    }

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,64}$")]
    private static partial Regex IdPattern();

    [GeneratedRegex("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")]
    private static partial Regex HeaderName();
}
