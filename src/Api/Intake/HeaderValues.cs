namespace ExternalAction.Api.Intake;

/// <summary>
/// Request fields the Processor later sends as HTTP header values (<c>token</c> as <c>X-Callback-Token</c>,
/// <c>context.subscription.imsOrgId</c> as <c>x-gw-ims-org-id</c>, <c>customHeaders</c> and header parameters that
/// header templates read) must be valid there: printable ASCII only. CR, LF, NUL, other control characters, DEL and
/// non-ASCII are refused at intake, so no such value ever reaches a header (and could smuggle another one).
/// </summary>
public static class HeaderValues
{
    public const string ValueRule = "must hold printable ASCII characters only (no control characters or non-ASCII): it is sent as an HTTP header value";
    public const string NameRule = "must be valid HTTP header names (letters, digits and !#$%&'*+-.^_`|~)";

    public static bool IsValidValue(string value)
    {
        foreach (var c in value)
            if (c is < ' ' or > '~')
                return false;
        return true;
    }

    /// <summary>An RFC 9110 token: what a header name may be.</summary>
    public static bool IsValidName(string name)
    {
        if (name.Length == 0)
            return false;
        foreach (var c in name)
            if (!(char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal)))
                return false;
        return true;
    }
}
