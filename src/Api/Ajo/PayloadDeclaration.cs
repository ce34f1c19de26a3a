using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ExternalAction.Actions.Ajo;
using ExternalAction.Contracts.Platform;

namespace ExternalAction.Api.Ajo;

/// <summary>
/// An AJO request payload declaration, read from AJO's notation: a <c>{"toBeMapped": true, "dataType", "label"}</c>
/// object is a field the journey fills (<c>string</c>, <c>integer</c>, <c>decimal</c>, <c>boolean</c>, <c>dateTime</c>;
/// <c>"required": false</c> lets it be missing or null); an array holding one element declares a list or a collection
/// whose every item is that element; any other leaf is a constant AJO sends as is (missing: filled in; present: of its
/// declared JSON type). <see cref="Validate"/> checks a call's payload against it and returns it normalised.
/// </summary>
public abstract partial record PayloadDeclaration
{
    public static readonly IReadOnlyList<string> MappedTypes = ["string", "integer", "decimal", "boolean", "dateTime"];

    /// <summary>How many problems one 400 lists at most.</summary>
    public const int MaxProblems = 20;

    /// <summary>The JSON path of a property below <paramref name="parent"/>, as the 400 names it.</summary>
    public static string Child(string parent, string name) =>
        SimpleName().IsMatch(name) ? $"{parent}.{name}" : $"{parent}['{name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal)}']";

    public sealed record Mapped(string DataType, string? Label, bool Required) : PayloadDeclaration;

    public sealed record Constant(JsonNode Value) : PayloadDeclaration;

    public sealed record ListOf(PayloadDeclaration Item) : PayloadDeclaration;

    public sealed record ObjectOf(IReadOnlyDictionary<string, PayloadDeclaration> Properties) : PayloadDeclaration;

    /// <summary>Reads a declaration; each problem names its key below <paramref name="key"/>.</summary>
    public static PayloadDeclaration Read(JsonNode? node, string key, List<string> problems)
    {
        switch (node)
        {
            case JsonObject obj when obj.TryGetPropertyValue("toBeMapped", out var flag):
                if (flag?.GetValueKind() != JsonValueKind.True)
                    problems.Add($"key '{key}.toBeMapped': must be true (leave it out for a constant).");
                var type = obj["dataType"] is JsonValue t && t.TryGetValue<string>(out var s) ? s : null;
                if (type is null || !MappedTypes.Contains(type))
                    problems.Add($"key '{key}.dataType': must be one of {string.Join(", ", MappedTypes)} (a list or collection is an array of one declared item).");
                var label = obj["label"] is JsonValue l && l.TryGetValue<string>(out var ls) ? ls : null;
                var required = obj["required"] is not JsonValue r || r.GetValueKind() != JsonValueKind.False;
                foreach (var extra in obj.Select(p => p.Key).Where(k => k is not ("toBeMapped" or "dataType" or "label" or "required")))
                    problems.Add($"key '{key}.{extra}': a toBeMapped field takes toBeMapped, dataType, label and required only.");
                return new Mapped(type ?? "string", label, required);
            case JsonObject obj:
                return new ObjectOf(obj.ToDictionary(p => p.Key, p => Read(p.Value, Child(key, p.Key), problems), StringComparer.Ordinal));
            case JsonArray array when array.Count == 1 && HasMapped(array[0]):
                return new ListOf(Read(array[0], $"{key}[0]", problems));
            case JsonArray array when array.Any(HasMapped):
                problems.Add($"key '{key}': a list or collection declares one item (an array of one element); this one has {array.Count}.");
                return new Constant(array.DeepClone());
            case JsonArray array when Heterogeneous(array):
                problems.Add($"key '{key}': the items of an array must all be of one JSON type.");
                return new Constant(array.DeepClone());
            case null:
                problems.Add($"key '{key}': null is not a declaration (give a constant or a toBeMapped field).");
                return new Constant(JsonValue.Create("")!);
            default:
                return new Constant(node.DeepClone());
        }
    }

    /// <summary>True when the items of <paramref name="array"/> are not all of one JSON type (true and false count as one).</summary>
    public static bool Heterogeneous(JsonArray array) =>
        array.Select(i => Kind(i)).Distinct().Count() > 1;

    private static string Kind(JsonNode? node) => node?.GetValueKind() switch
    {
        null or JsonValueKind.Null => "null",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        var k => k.ToString()!.ToLowerInvariant(),
    };

    private static bool HasMapped(JsonNode? node) => node switch
    {
        JsonObject obj => obj.ContainsKey("toBeMapped") || obj.Any(p => HasMapped(p.Value)),
        JsonArray array => array.Any(HasMapped),
        _ => false,
    };

    /// <summary>
    /// Checks <paramref name="value"/> (at <paramref name="path"/>) and returns it normalised: constants filled in, unknown
    /// fields refused, dropped or kept per <paramref name="unknownFields"/>. Problems go to <paramref name="problems"/>.
    /// </summary>
    public JsonNode? Validate(JsonNode? value, string path, string unknownFields, List<ErrorDetail> problems)
    {
        if (problems.Count >= MaxProblems)
            return null;
        switch (this)
        {
            case Mapped m when value is null:
                if (m.Required)
                    problems.Add(new ErrorDetail(path, $"is required ({Describe(m)})"));
                return null;
            case Mapped m:
                if (!Holds(m.DataType, value))
                    problems.Add(new ErrorDetail(path, $"must be {Describe(m)}, not {A(Kind(value))}"));
                return value.DeepClone();
            case Constant c when value is null:
                return c.Value.DeepClone();
            case Constant c:
                if (Kind(value) != Kind(c.Value))
                    problems.Add(new ErrorDetail(path, $"is a constant of the action and must be {A(Kind(c.Value))}, not {A(Kind(value))}"));
                return value.DeepClone();
            case ListOf list when value is null:
                problems.Add(new ErrorDetail(path, "is required (an array)"));
                return null;
            case ListOf list when value is not JsonArray:
                problems.Add(new ErrorDetail(path, $"must be an array, not {A(Kind(value))}"));
                return null;
            case ListOf list:
                var items = (JsonArray)value;
                var result = new JsonArray();
                for (var i = 0; i < items.Count; i++)
                {
                    if (items[i] is null)
                        problems.Add(new ErrorDetail($"{path}[{i}]", "must not be null"));
                    else
                        result.Add(list.Item.Validate(items[i], $"{path}[{i}]", unknownFields, problems));
                }
                return result;
            case ObjectOf obj when value is null:
                // An object of constants only is filled in; one with fields to map must be sent.
                if (MustBeSent(obj))
                    problems.Add(new ErrorDetail(path, "is required (an object)"));
                return MustBeSent(obj) ? null : obj.Validate(new JsonObject(), path, unknownFields, problems);
            case ObjectOf when value is not JsonObject:
                problems.Add(new ErrorDetail(path, $"must be an object, not {A(Kind(value))}"));
                return null;
            case ObjectOf obj:
                var given = (JsonObject)value;
                var normalised = new JsonObject();
                foreach (var (name, declaration) in obj.Properties)
                {
                    given.TryGetPropertyValue(name, out var child);
                    var checkedChild = declaration.Validate(child, Child(path, name), unknownFields, problems);
                    if (checkedChild is not null || child is not null)
                        normalised[name] = checkedChild;
                }
                foreach (var (name, child) in given)
                {
                    if (obj.Properties.ContainsKey(name))
                        continue;
                    if (unknownFields == AjoUnknownFields.Refuse)
                        problems.Add(new ErrorDetail(Child(path, name), "is not declared by the action"));
                    else if (unknownFields == AjoUnknownFields.Keep)
                        normalised[name] = child?.DeepClone();
                }
                return normalised;
            default:
                throw new InvalidOperationException($"Unknown declaration {GetType().Name}"); // a bug
        }
    }

    /// <summary>True when the declaration holds a required mapped field somewhere (so the call must send it).</summary>
    public static bool MustBeSent(PayloadDeclaration declaration) => declaration switch
    {
        Mapped m => m.Required,
        ListOf => true,
        ObjectOf o => o.Properties.Values.Any(MustBeSent),
        _ => false,
    };

    /// <summary>The declaration at a payload path outside any list (what an identity or secret field may name), or null.</summary>
    public PayloadDeclaration? At(IReadOnlyList<string> names)
    {
        var node = this;
        foreach (var name in names)
        {
            if (node is not ObjectOf obj || !obj.Properties.TryGetValue(name, out var child))
                return null;
            node = child;
        }
        return node;
    }

    private static string Describe(Mapped m) => m.DataType switch
    {
        "integer" => "an integer",
        "decimal" => "a decimal number",
        "boolean" => "a boolean",
        "dateTime" => "an ISO 8601 date-time string",
        _ => "a string",
    } + (m.Label is { Length: > 0 } label ? $", '{Clean(label)}'" : "");

    private static string A(string kind) => kind switch
    {
        "null" => "null",
        "array" or "object" => $"an {kind}",
        _ => $"a {kind}",
    };

    private static string Clean(string text) => text.Length > 60 ? text[..60] + "…" : text;

    /// <summary>Whether a JSON value is of an AJO data type.</summary>
    public static bool Holds(string dataType, JsonNode value) => dataType switch
    {
        "string" => value.GetValueKind() == JsonValueKind.String,
        "integer" => value.GetValueKind() == JsonValueKind.Number && IsInteger(value),
        "decimal" => value.GetValueKind() == JsonValueKind.Number,
        "boolean" => value.GetValueKind() is JsonValueKind.True or JsonValueKind.False,
        "dateTime" => value.GetValueKind() == JsonValueKind.String && IsDateTime(value.GetValue<string>()),
        _ => false,
    };

    private static bool IsInteger(JsonNode value) =>
        value.AsValue().TryGetValue<long>(out _)
        || (decimal.TryParse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d == decimal.Truncate(d) && d is >= long.MinValue and <= long.MaxValue);

    /// <summary>ISO 8601 as AJO writes date-times: date, T, time (seconds and fraction optional), and Z or an offset optional.</summary>
    public static bool IsDateTime(string text) =>
        DateTimePattern().IsMatch(text) && DateTimeOffset.TryParse(text.ToUpperInvariant(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _);

    [GeneratedRegex(@"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,7})?)?([Zz]|[+-][0-9]{2}:[0-9]{2})?\z", RegexOptions.CultureInvariant)]
    private static partial Regex DateTimePattern();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex SimpleName();
}
