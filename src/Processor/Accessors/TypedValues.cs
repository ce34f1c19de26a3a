using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ExternalAction.Contracts.Platform;

namespace ExternalAction.Processor.Accessors;

/// <summary>
/// How the six platform data types are read from JSON and from the strings of path conditions. The accessor check
/// and the path evaluator both use these, so a value that passes the check is read the same way when paths are chosen.
/// </summary>
internal static partial class TypedValues
{
    // Plain decimal notation with an optional exponent: no whitespace, thousands separators, hex, "NaN" or "Infinity".
    private const NumberStyles Numeric = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent;

    /// <summary>A JSON number, or a string holding one (<c>"92"</c>, <c>"0.75"</c>), as a decimal.</summary>
    public static bool TryDecimal(JsonNode node, out decimal number)
    {
        number = 0;
        return node.GetValueKind() switch
        {
            JsonValueKind.Number => decimal.TryParse(node.ToJsonString(), Numeric, CultureInfo.InvariantCulture, out number),
            JsonValueKind.String => TryDecimal(node.GetValue<string>(), out number),
            _ => false,
        };
    }

    public static bool TryDecimal(string? text, out decimal number)
    {
        number = 0;
        return text is not null && decimal.TryParse(text, Numeric, CultureInfo.InvariantCulture, out number);
    }

    /// <summary>A finite JSON number, or a string holding one, as a double (for numbers beyond the decimal range).</summary>
    public static bool TryDouble(JsonNode node, out double number)
    {
        number = 0;
        var text = node.GetValueKind() switch
        {
            JsonValueKind.Number => node.ToJsonString(),
            JsonValueKind.String => node.GetValue<string>(),
            _ => null,
        };
        return TryDouble(text, out number);
    }

    public static bool TryDouble(string? text, out double number)
    {
        number = 0;
        return text is not null && double.TryParse(text, Numeric, CultureInfo.InvariantCulture, out number) && double.IsFinite(number);
    }

    /// <summary>JSON <c>true</c>/<c>false</c>, or the strings <c>"true"</c>/<c>"false"</c> in any letter case.</summary>
    public static bool TryBoolean(JsonNode node, out bool value)
    {
        value = false;
        switch (node.GetValueKind())
        {
            case JsonValueKind.True:
                value = true;
                return true;
            case JsonValueKind.False:
                return true;
            case JsonValueKind.String:
                return TryBoolean(node.GetValue<string>(), out value);
            default:
                return false;
        }
    }

    public static bool TryBoolean(string? text, out bool value)
    {
        value = false;
        if (string.Equals(text, "true", StringComparison.OrdinalIgnoreCase))
            value = true;
        else if (!string.Equals(text, "false", StringComparison.OrdinalIgnoreCase))
            return false;
        return true;
    }

    /// <summary>A full date exactly as <c>yyyy-MM-dd</c> (RFC 3339 full-date).</summary>
    public static bool TryDate(string? text, out DateOnly date)
    {
        date = default;
        return text is not null && DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);
    }

    /// <summary>An RFC 3339 date-time: date, <c>T</c>, time with seconds, optional fraction, and <c>Z</c> or an offset.</summary>
    public static bool TryDateTime(string? text, out DateTimeOffset value)
    {
        value = default;
        // Upper-cased because RFC 3339 allows a lower-case "t" and "z"; those are the only letters the pattern lets through.
        return text is not null && Rfc3339DateTime().IsMatch(text)
            && DateTimeOffset.TryParse(text.ToUpperInvariant(), CultureInfo.InvariantCulture, DateTimeStyles.None, out value);
    }

    /// <summary>
    /// What a path condition may compare a date-time with: an RFC 3339 date-time, one without offset (taken as UTC), one
    /// without seconds, or a bare date (midnight UTC). Date pickers and hand-typed conditions produce all of these.
    /// </summary>
    public static bool TryLenientDateTime(string? text, out DateTimeOffset value)
    {
        value = default;
        return text is not null && LenientDateTime().IsMatch(text)
            && DateTimeOffset.TryParse(text.ToUpperInvariant(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value);
    }

    /// <summary>A date, or the date part (as written, offset ignored) of a date-time that <see cref="TryLenientDateTime"/> reads.</summary>
    public static bool TryLenientDate(string? text, out DateOnly date)
    {
        date = default;
        if (TryDate(text, out date))
            return true;
        return text is { Length: > 10 } && TryLenientDateTime(text, out _) && TryDate(text[..10], out date);
    }

    /// <summary>
    /// Sign of <paramref name="actual"/> − <paramref name="expected"/> read as <paramref name="dataType"/>, or null when either
    /// side does not read as that type. Numbers compare by value (<c>80</c> = <c>"80.0"</c>), dates and date-times
    /// chronologically (offsets honoured). Strings and booleans only compare for equality (0, or 1 when different);
    /// strings ignore letter case (ordinal).
    /// </summary>
    public static int? Compare(JsonNode actual, string? expected, string dataType)
    {
        switch (dataType)
        {
            case DataTypes.Integer or DataTypes.Float:
                if (TryDecimal(actual, out var a) && TryDecimal(expected, out var e))
                    return a.CompareTo(e);
                return TryDouble(actual, out var ad) && TryDouble(expected, out var ed) ? ad.CompareTo(ed) : null;
            case DataTypes.Boolean:
                return TryBoolean(actual, out var ab) && TryBoolean(expected, out var eb) ? (ab == eb ? 0 : 1) : null;
            case DataTypes.Date:
                return TryLenientDate(String(actual), out var da) && TryLenientDate(expected, out var de) ? da.CompareTo(de) : null;
            case DataTypes.DateTime:
                return TryLenientDateTime(String(actual), out var ta) && TryLenientDateTime(expected, out var te) ? ta.CompareTo(te) : null;
            case DataTypes.String:
                return String(actual) is { } s && expected is not null ? (string.Equals(s, expected, StringComparison.OrdinalIgnoreCase) ? 0 : 1) : null;
            default:
                return null;
        }
    }

    /// <summary>True when <paramref name="actual"/> reads as <paramref name="dataType"/> at all (so a comparison can be decided).</summary>
    public static bool Reads(JsonNode actual, string dataType) => dataType switch
    {
        DataTypes.Integer or DataTypes.Float => TryDouble(actual, out _),
        DataTypes.Boolean => TryBoolean(actual, out _),
        DataTypes.Date => TryLenientDate(String(actual), out _),
        DataTypes.DateTime => TryLenientDateTime(String(actual), out _),
        DataTypes.String => String(actual) is not null,
        _ => false,
    };

    /// <summary>True when <paramref name="text"/> (a condition value) reads as <paramref name="dataType"/>.</summary>
    public static bool Reads(string? text, string dataType) => dataType switch
    {
        DataTypes.Integer or DataTypes.Float => TryDouble(text, out _),
        DataTypes.Boolean => TryBoolean(text, out _),
        DataTypes.Date => TryLenientDate(text, out _),
        DataTypes.DateTime => TryLenientDateTime(text, out _),
        DataTypes.String => text is not null,
        _ => false,
    };

    /// <summary>The text of a JSON string; null for any other kind.</summary>
    public static string? String(JsonNode node) =>
        node.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : null;

    [GeneratedRegex(@"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,7})?([Zz]|[+-][0-9]{2}:[0-9]{2})\z", RegexOptions.CultureInvariant)]
    private static partial Regex Rfc3339DateTime();

    [GeneratedRegex(@"^[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,7})?)?([Zz]|[+-][0-9]{2}:[0-9]{2})?)?\z", RegexOptions.CultureInvariant)]
    private static partial Regex LenientDateTime();
}
