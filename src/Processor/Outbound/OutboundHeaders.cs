namespace ExternalAction.Processor.Outbound;

/// <summary>
/// Every header value this service sends (channel headers rendered from request data, the callback's token and org id,
/// credentials, the IMS bearer) goes through here: a name must be an RFC 9110 token and a value visible ASCII, space or
/// tab. Anything else (CR or LF that would smuggle a second request carrying our secrets, NUL, other control characters,
/// non-ASCII that .NET would refuse only when sending) is an <see cref="UnsafeHeaderException"/>: a permanent failure
/// naming the header, never its value (it may be a secret or personal data).
/// </summary>
public static class OutboundHeaders
{
    /// <summary>Adds the header after checking it; throws <see cref="UnsafeHeaderException"/> instead of sending anything unsafe.</summary>
    public static void Add(HttpRequestMessage request, string name, string? value)
    {
        Check(name, value);
        try
        {
            request.Headers.Add(name, value);
        }
        catch (FormatException)
        {
            throw new UnsafeHeaderException(name, "is not in the format HTTP requires for this header");
        }
        catch (InvalidOperationException)
        {
            throw new UnsafeHeaderException(name, "is a content header or cannot be set on a request");
        }
    }

    /// <summary>Throws <see cref="UnsafeHeaderException"/> unless <paramref name="name"/> and <paramref name="value"/> are safe to send.</summary>
    public static void Check(string name, string? value)
    {
        if (name.Length == 0 || !name.All(IsTokenChar))
            throw new UnsafeHeaderException(name.Any(char.IsControl) ? "(a header name with control characters)" : name, "has a name that is not an HTTP token");
        if (value is null)
            return;
        foreach (var c in value)
        {
            if (c is '\r' or '\n')
                throw new UnsafeHeaderException(name, "contains a line break (CR or LF)");
            if (c is not '\t' and (< ' ' or '\x7f'))
                throw new UnsafeHeaderException(name, "contains a control character");
            if (c > '\x7f')
                throw new UnsafeHeaderException(name, "contains non-ASCII characters");
        }
    }

    public static bool IsSafeValue(string? value)
    {
        try
        {
            Check("X-Check", value);
            return true;
        }
        catch (UnsafeHeaderException)
        {
            return false;
        }
    }

    private static bool IsTokenChar(char c) =>
        c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9'
            or '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~';
}

/// <summary>A header this service was about to send is unsafe (see <see cref="OutboundHeaders"/>); permanent.</summary>
public sealed class UnsafeHeaderException(string header, string problem)
    : Exception($"header '{header}' {problem}; a rendered header value must be printable ASCII on one line")
{
    public string Header { get; } = header;
}
