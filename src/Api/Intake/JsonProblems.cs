using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using ExternalAction.Contracts.Json;
using ExternalAction.Contracts.Platform;

namespace ExternalAction.Api.Intake;

/// <summary>
/// Says why System.Text.Json could not read a body as an <see cref="ExecutionRequest"/>, without echoing the input and
/// without reading the exception's text: the field is <see cref="JsonException.Path"/>; the reason is the kind of
/// failure (the reader refused the text, a string is not UTF-8, a value has the wrong type) and, for a wrong type, the
/// JSON type the contract expects at that path, found by walking the contract types' <see cref="JsonTypeInfo"/>.
/// </summary>
public static class JsonProblems
{
    public static ErrorDetail Explain(JsonException e, ReadOnlySpan<byte> body)
    {
        var field = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "$" : e.Path.StartsWith("$.", StringComparison.Ordinal) ? e.Path[2..] : e.Path;
        var reason = e.InnerException switch
        {
            // Utf8JsonReader's own exception: the text is not JSON, or it nests deeper than the contract allows.
            JsonException => NestsTooDeeply(body) ? "is nested too deeply" : $"is not valid JSON (line {e.LineNumber + 1}, position {e.BytePositionInLine + 1})",
            InvalidOperationException { InnerException: DecoderFallbackException } => "is not valid UTF-8 text",
            _ => ExpectedAt(e.Path) is { } expected ? $"has the wrong JSON type (expected {expected})" : "has the wrong JSON type",
        };
        return new ErrorDetail(field, reason);
    }

    /// <summary>The JSON type the contract expects at <paramref name="path"/> (a JSONPath as System.Text.Json writes it), or null when it does not say.</summary>
    public static string? ExpectedAt(string? path)
    {
        var type = ContractJson.Options.GetTypeInfo(typeof(ExecutionRequest));
        JsonPropertyInfo? property = null;
        foreach (var (name, isIndex) in Segments(path ?? "$"))
        {
            property = null;
            switch (type.Kind)
            {
                case JsonTypeInfoKind.Object when !isIndex:
                    property = type.Properties.FirstOrDefault(p => p.Name == name && !p.IsExtensionData);
                    if (property is null)
                        return null;
                    type = ContractJson.Options.GetTypeInfo(property.PropertyType);
                    break;
                case JsonTypeInfoKind.Enumerable when isIndex:
                case JsonTypeInfoKind.Dictionary when !isIndex:
                    type = ContractJson.Options.GetTypeInfo(type.ElementType!);
                    break;
                default:
                    return null;
            }
        }
        return Describe(type, property);
    }

    private static string? Describe(JsonTypeInfo type, JsonPropertyInfo? property)
    {
        // Properties whose converter takes more than the declared type does (ids sent as strings or numbers).
        switch (property?.CustomConverter)
        {
            case FlexibleStringConverter:
                return "a string or a number";
            case FlexibleInt64Converter:
                return "an integer";
        }
        if (type.Kind is JsonTypeInfoKind.Object or JsonTypeInfoKind.Dictionary)
            return "an object";
        if (type.Kind is JsonTypeInfoKind.Enumerable)
            return "an array";
        var clr = Nullable.GetUnderlyingType(type.Type) ?? type.Type;
        return clr == typeof(string) ? "a string"
            : clr == typeof(bool) ? "a boolean"
            : clr == typeof(int) || clr == typeof(long) ? "an integer"
            : clr == typeof(JsonObject) ? "an object"
            : clr == typeof(JsonArray) ? "an array"
            : null;
    }

    /// <summary>Splits <c>$.a.b[0]['c.d']</c> into (a), (b), [0], (c.d).</summary>
    private static IEnumerable<(string Name, bool IsIndex)> Segments(string path)
    {
        var i = path.StartsWith('$') ? 1 : 0;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                var end = path.IndexOfAny(['.', '['], i + 1);
                end = end < 0 ? path.Length : end;
                yield return (path[(i + 1)..end], false);
                i = end;
            }
            else if (path.AsSpan(i).StartsWith("['"))
            {
                var name = new StringBuilder();
                for (i += 2; i < path.Length && !path.AsSpan(i).StartsWith("']"); i++)
                {
                    if (path[i] == '\\' && i + 1 < path.Length)
                        i++;
                    name.Append(path[i]);
                }
                yield return (name.ToString(), false);
                i += 2;
            }
            else if (path[i] == '[')
            {
                var end = path.IndexOf(']', i);
                end = end < 0 ? path.Length : end;
                yield return (path[(i + 1)..end], true);
                i = end + 1;
            }
            else
            {
                yield break;
            }
        }
    }

    /// <summary>Whether the text nests objects and arrays deeper than <see cref="JsonSerializerOptions.MaxDepth"/> before it stops being JSON.</summary>
    private static bool NestsTooDeeply(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = int.MaxValue });
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && reader.CurrentDepth >= ContractJson.Options.MaxDepth)
                    return true;
            }
        }
        catch (JsonException)
        {
            // Broken before it got that deep.
        }
        return false;
    }
}
