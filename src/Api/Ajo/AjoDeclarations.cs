using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ExternalAction.Actions;
using ExternalAction.Actions.Ajo;
using ExternalAction.Api.Decisioning;

namespace ExternalAction.Api.Ajo;

/// <summary>One action's AJO face, read and checked: its request declaration and the payload paths of its identity.</summary>
public sealed record AjoAction(ActionDefinition Definition, AjoFace Face, PayloadDeclaration.ObjectOf Request,
    IReadOnlyList<AjoAction.IdentityField> Identity, IReadOnlyList<IReadOnlyList<string>> SecretFields)
{
    /// <summary>A declared identity field: its key under <c>ajo.identity</c>, its payload path and that path's names.</summary>
    public sealed record IdentityField(string Key, string Path, IReadOnlyList<string> Names);

    public TimeSpan Budget => TimeSpan.FromMilliseconds(Face.BudgetMilliseconds);
}

/// <summary>
/// The AJO faces of every action, read when the Api starts: a declaration AJO would not take, or one this service cannot
/// serve, stops start-up with every problem naming the file, the action and the key (as the action loader does).
/// </summary>
public sealed partial class AjoDeclarations
{
    private readonly Dictionary<string, AjoAction> _byName;

    public AjoDeclarations(ActionCatalog catalog)
    {
        var problems = new List<string>();
        _byName = new(StringComparer.Ordinal);
        foreach (var action in catalog.All.Where(a => a.Ajo is not null))
        {
            var own = new List<string>();
            var compiled = Read(action, action.Ajo!, own);
            problems.AddRange(own.Select(p => $"action '{action.Name}': {p}"));
            if (own.Count == 0)
                _byName[action.Name] = compiled;
        }
        if (problems.Count > 0)
            throw ActionDefinitionException.Invalid(catalog.File ?? "(not read from a file)", problems);
    }

    public AjoAction? Find(ActionDefinition action) => _byName.GetValueOrDefault(action.Name);

    private static AjoAction Read(ActionDefinition action, AjoFace face, List<string> p)
    {
        var request = PayloadDeclaration.Read(face.Request, "ajo.request", p) as PayloadDeclaration.ObjectOf
            ?? new PayloadDeclaration.ObjectOf(new Dictionary<string, PayloadDeclaration>());
        if (!AjoUnknownFields.All.Contains(face.UnknownFields))
            p.Add($"key 'ajo.unknownFields': must be one of {string.Join(", ", AjoUnknownFields.All)}.");
        if (face.BudgetMilliseconds is < 1 or > 5000)
            p.Add("key 'ajo.budgetMilliseconds': must be between 1 and 5000 (AJO moves endpoints slower than 750 ms to its slow service).");
        if (face.DeadlineMinutes is < 1 or > 7 * 24 * 60)
            p.Add("key 'ajo.deadlineMinutes': must be between 1 and 10080 (7 days).");

        var identity = new List<AjoAction.IdentityField>();
        foreach (var (key, path) in face.Identity.Declared())
        {
            var names = Names(path);
            var declared = names is null ? null : request.At(names);
            if (names is null)
                p.Add($"key 'ajo.identity.{key}': '{path}' must be a path of property names ($.a.b), outside any list.");
            else if (declared is not PayloadDeclaration.Mapped { DataType: "string" or "integer" or "dateTime", Required: true })
                p.Add($"key 'ajo.identity.{key}': '{path}' must name a required toBeMapped field of dataType string, integer or dateTime in ajo.request.");
            else
                identity.Add(new AjoAction.IdentityField(key, path, names));
        }

        var secrets = new List<IReadOnlyList<string>>();
        for (var i = 0; i < face.SecretFields.Count; i++)
        {
            var names = Names(face.SecretFields[i]);
            if (names is null || request.At(names) is null)
                p.Add($"key 'ajo.secretFields[{i}]': '{face.SecretFields[i]}' must name a field of ajo.request outside any list.");
            else if (identity.Any(f => f.Names.SequenceEqual(names)))
                p.Add($"key 'ajo.secretFields[{i}]': '{face.SecretFields[i]}' is an identity field, which the status row shows.");
            else
                secrets.Add(names);
        }

        foreach (var (name, value) in face.Headers)
        {
            if (!HeaderName().IsMatch(name))
                p.Add($"key 'ajo.headers.{name}': is not a valid header name.");
            if (value.Any(char.IsControl))
                p.Add($"key 'ajo.headers.{name}': must not hold control characters.");
        }

        if (face.Response is { } response)
        {
            if (response.ContainsKey("requestId"))
                p.Add("key 'ajo.response.requestId': every answer carries requestId already; choose another field name.");
            p.AddRange(ResponseExampleProblems(response, "ajo.response"));
            if (face.Decision is null)
                p.Add("key 'ajo.decision': is required with a response payload (it decides the response fields).");
        }
        if (face.Decision is { } decision)
        {
            if (face.Response is null)
                p.Add("key 'ajo.response': is required with a decision (the example of the fields it answers).");
            else
            {
                p.AddRange(DecisionSpecChecks.Problems(decision, "ajo.decision", (result, key) => ResultProblems(result, face.Response, key)));
                foreach (var field in decision.Lookup?.Fields.Keys ?? Enumerable.Empty<string>())
                    if (!face.Response.ContainsKey(field))
                        p.Add($"key 'ajo.decision.lookup.fields.{field}': is not a field of ajo.response.");
                if (decision.Lookup is { Fields.Count: > 0 } lookup)
                    foreach (var missing in face.Response.Select(f => f.Key).Where(k => !lookup.Fields.ContainsKey(k)))
                        p.Add($"key 'ajo.decision.lookup.fields': gives no path for response field '{missing}'.");
            }
        }

        if (face.StatusWebhook is { } hook)
        {
            if (ChannelUrls.Origin(hook.Url ?? "", isTemplate: false, out var problem) is null)
                p.Add($"key 'ajo.statusWebhook.url': {problem}.");
            if (string.IsNullOrWhiteSpace(hook.Secret))
                p.Add("key 'ajo.statusWebhook.secret': names the secret holding the HMAC key; the outcome is always signed.");
            if (!HeaderName().IsMatch(hook.HeaderName ?? ""))
                p.Add("key 'ajo.statusWebhook.headerName': is not a valid header name.");
            if (hook.TimeoutSeconds is < 1 or > 60)
                p.Add("key 'ajo.statusWebhook.timeoutSeconds': must be between 1 and 60.");
        }
        return new AjoAction(action, face, request, identity, secrets);
    }

    /// <summary>
    /// What AJO takes as a response payload example: objects, scalars, and arrays whose items are scalars of one type
    /// (AJO refuses heterogeneous arrays; an empty one says no type).
    /// </summary>
    public static IEnumerable<string> ResponseExampleProblems(JsonNode? node, string key)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, child) in obj)
                foreach (var problem in ResponseExampleProblems(child, PayloadDeclaration.Child(key, name)))
                    yield return problem;
                break;
            case JsonArray array when array.Count == 0:
                yield return $"key '{key}': give one sample item, so the array's item type is known.";
                break;
            case JsonArray array when array.Any(i => i is JsonObject or JsonArray):
                yield return $"key '{key}': arrays in a response payload hold scalars only.";
                break;
            case JsonArray array when PayloadDeclaration.Heterogeneous(array):
                yield return $"key '{key}': the items of an array must all be of one type (AJO refuses heterogeneous arrays).";
                break;
            case null:
                yield return $"key '{key}': null says no type; give a sample value.";
                break;
        }
    }

    /// <summary>Why a decided result does not fit the response example (null when it does): same fields, same JSON types.</summary>
    public static string? ResultProblem(JsonNode? result, JsonNode example, string key)
    {
        switch (example)
        {
            case JsonObject shape:
                if (result is not JsonObject given)
                    return $"key '{key}': must be an object with the fields of ajo.response.";
                foreach (var (name, child) in shape)
                {
                    if (!given.TryGetPropertyValue(name, out var value))
                        return $"key '{PayloadDeclaration.Child(key, name)}': is missing (every field of ajo.response is answered).";
                    if (ResultProblem(value, child!, PayloadDeclaration.Child(key, name)) is { } problem)
                        return problem;
                }
                return given.Select(g => g.Key).FirstOrDefault(n => !shape.ContainsKey(n)) is { } extra
                    ? $"key '{PayloadDeclaration.Child(key, extra)}': is not a field of ajo.response."
                    : null;
            case JsonArray items:
                if (result is not JsonArray list)
                    return $"key '{key}': must be an array, as in ajo.response.";
                if (items.Count == 0)
                    return null; // the example itself is refused (ResponseExampleProblems)
                var kind = Kind(items[0]);
                return list.Any(i => Kind(i) != kind) ? $"key '{key}': every item must be a JSON {kind}, as in ajo.response." : null;
            default:
                return Kind(result) == Kind(example) ? null : $"key '{key}': must be a JSON {Kind(example)}, as in ajo.response.";
        }
    }

    private static IEnumerable<string> ResultProblems(JsonNode? result, JsonObject response, string key) =>
        ResultProblem(result, response, key) is { } problem ? [problem] : [];

    private static string Kind(JsonNode? node) => node?.GetValueKind() switch
    {
        null or JsonValueKind.Null => "null",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Number => "number",
        var k => k.ToString()!.ToLowerInvariant(),
    };

    /// <summary>The property names of a plain path (<c>$.a.b</c> or <c>a.b</c>), or null for anything else.</summary>
    public static IReadOnlyList<string>? Names(string? path)
    {
        if (path is null)
            return null;
        var text = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;
        var names = text.Split('.');
        return names.All(n => PlainName().IsMatch(n)) ? names : null;
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_-]*$")]
    private static partial Regex PlainName();

    [GeneratedRegex("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")]
    private static partial Regex HeaderName();
}
