namespace ExternalAction.Actions;

/// <summary>
/// The URLs a channel is configured with and the part of each that no request's data can change. A URL template may
/// fill path segments and query values, never the scheme, the host or the port: the text before its first placeholder
/// must hold the whole origin and end it with <c>/</c>, <c>?</c> or <c>#</c>.
/// </summary>
public static class ChannelUrls
{
    public const string TwilioDefaultBaseUrl = "https://api.twilio.com";

    /// <summary>Regions of the Sinch SMS REST API (<c>https://{region}.sms.api.sinch.com</c>).</summary>
    public static IReadOnlyList<string> SinchRegions { get; } = ["us", "eu", "au", "br", "ca"];

    public const string SinchDefaultRegion = "us";

    /// <summary>The Sinch SMS base URL of <paramref name="region"/> (default <c>us</c>).</summary>
    public static string SinchBaseUrl(string? region) => $"https://{region ?? SinchDefaultRegion}.sms.api.sinch.com";

    /// <summary>The base URL a Sinch channel sends to: its <c>baseUrl</c>, else its region's.</summary>
    public static string SinchBaseUrl(ChannelDefinition channel) => channel.BaseUrl ?? SinchBaseUrl(channel.Region);

    /// <summary>The channel's URLs that are written in the file (a URL held by a secret is checked where it is resolved).</summary>
    public static IEnumerable<(string Key, string Url, bool IsTemplate)> Of(ChannelDefinition channel)
    {
        switch (channel.Type)
        {
            case ChannelTypes.Webhook or ChannelTypes.Slack or ChannelTypes.Teams when channel.UrlSecret is null && channel.Url is not null:
                yield return ("channel.url", channel.Url, true);
                break;
            case ChannelTypes.Twilio:
                yield return ("channel.baseUrl", channel.BaseUrl ?? TwilioDefaultBaseUrl, false);
                break;
            case ChannelTypes.Sinch when channel.BaseUrl is not null || channel.Region is null || SinchRegions.Contains(channel.Region):
                yield return ("channel.baseUrl", SinchBaseUrl(channel), false);
                break;
        }
    }

    /// <summary>
    /// The fixed origin (scheme, host, port) of <paramref name="url"/>; null with the reason when it has none: not an
    /// absolute http(s) URL, credentials in it, or (for a template) a placeholder before the origin ends.
    /// </summary>
    public static Uri? Origin(string url, bool isTemplate, out string? problem)
    {
        var placeholder = isTemplate ? FirstPlaceholder(url) : -1;
        var fixedPart = placeholder < 0 ? url : url[..placeholder];
        var schemeEnd = fixedPart.IndexOf("://", StringComparison.Ordinal);
        var originEnd = schemeEnd < 0 ? -1 : fixedPart.IndexOfAny(['/', '\\', '?', '#'], schemeEnd + 3);
        if (placeholder >= 0 && schemeEnd >= 0 && originEnd < 0)
        {
            problem = "a placeholder must not be able to choose the host: the text before the first '{{' must hold the scheme and the whole host (and port), ended by '/', '?' or '#'";
            return null;
        }
        if (schemeEnd < 0 || !Uri.TryCreate(placeholder < 0 ? url : fixedPart[..originEnd], UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || uri.Host.Length == 0)
        {
            problem = "must be an absolute http(s) URL";
            return null;
        }
        if (uri.UserInfo.Length > 0)
        {
            problem = "must not carry credentials (name a secret in 'channel.auth' instead)";
            return null;
        }
        problem = null;
        return new Uri(uri.GetLeftPart(UriPartial.Authority));
    }

    /// <summary>Why a channel's <see cref="ChannelDefinition.UrlFrom"/> cannot be used as configured, or null.</summary>
    public static string? FromValueProblem(ChannelDefinition channel)
    {
        if (channel.UrlFrom is null)
            return channel.AllowedHosts.Count > 0 ? "key 'channel.allowedHosts': is only read with 'channel.urlFrom'." : null;
        if (channel.Type is not (ChannelTypes.Webhook or ChannelTypes.Slack))
            return "key 'channel.urlFrom': only a webhook or Slack channel takes its URL from the request's data.";
        if (channel.Url is not null || channel.UrlSecret is not null)
            return "key 'channel.urlFrom': give one of 'channel.url', 'channel.urlSecret' and 'channel.urlFrom'.";
        if (!System.Text.RegularExpressions.Regex.IsMatch(channel.UrlFrom, "^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*$"))
            return "key 'channel.urlFrom': must be a dotted path of the template model, such as 'inArguments.webhookUrl'.";
        if (channel.AllowedHosts.Count == 0)
            return "key 'channel.allowedHosts': is required with 'channel.urlFrom': a URL from the request's data may only name these hosts.";
        return channel.AllowedHosts.Any(h => !System.Text.RegularExpressions.Regex.IsMatch(h, "^(\\*\\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$"))
            ? "key 'channel.allowedHosts': each entry must be a lower-case host name (or '*.domain'), such as 'hooks.slack.com'."
            : null;
    }

    /// <summary>
    /// A URL taken whole from request data (<see cref="ChannelDefinition.UrlFrom"/>): https, no credentials, no port other
    /// than 443, and a host among <paramref name="allowedHosts"/>. Null with the reason (never the value) otherwise.
    /// </summary>
    public static Uri? FromValue(string? value, IReadOnlyList<string> allowedHosts, out string? problem)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
            problem = "is not an absolute https URL";
        else if (uri.UserInfo.Length > 0)
            problem = "must not carry credentials";
        else if (!uri.IsDefaultPort)
            problem = "must use the https port (443)";
        else if (!HostAllowed(uri.IdnHost, allowedHosts))
            problem = $"names a host that is not one of {string.Join(", ", allowedHosts)}";
        else
        {
            problem = null;
            return uri;
        }
        return null;
    }

    /// <summary>Exact host names or <c>*.domain</c> wildcards (which match sub-domains, not the domain itself).</summary>
    public static bool HostAllowed(string host, IEnumerable<string> allowedHosts) =>
        allowedHosts.Any(a => a.StartsWith("*.", StringComparison.Ordinal)
            ? host.EndsWith(a[1..], StringComparison.OrdinalIgnoreCase) && host.Length > a.Length - 1
            : string.Equals(host, a, StringComparison.OrdinalIgnoreCase));

    private static int FirstPlaceholder(string template)
    {
        var output = template.IndexOf("{{", StringComparison.Ordinal);
        var tag = template.IndexOf("{%", StringComparison.Ordinal);
        return output < 0 ? tag : tag < 0 ? output : Math.Min(output, tag);
    }
}
