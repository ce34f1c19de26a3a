using System.Text;

namespace ExternalAction.Processor.Preview;

/// <summary>A request as a preview shows it: masked where it carried a secret.</summary>
public sealed record PreviewRequest(string Method, string Url, IReadOnlyList<PreviewHeader> Headers, string? Body, string? BodyBase64, bool UrlMasked);

/// <summary>One header as sent; <see cref="Masked"/> when its value was replaced (it is a credential).</summary>
public sealed record PreviewHeader(string Name, string Value, bool Masked);

/// <summary>What a step's request may carry that must not be shown.</summary>
/// <param name="SecretValues">The values of every secret the step uses (resolved): replaced wherever they appear.</param>
/// <param name="CredentialHeaders">Headers of the step's own that hold credentials (an API key's or a signature's header).</param>
/// <param name="UrlIsCredential">The URL itself is a credential (taken from a secret: Slack and Teams webhooks).</param>
public sealed record MaskingRules(IReadOnlyCollection<string> SecretValues, IReadOnlyCollection<string> CredentialHeaders, bool UrlIsCredential)
{
    public static readonly MaskingRules None = new([], [], false);
}

/// <summary>
/// The one masking rule of previews, applied to every captured request before anything leaves the preview engine:
/// <list type="bullet">
/// <item>headers that are credentials by name (<see cref="AlwaysMasked"/>, and the step's own API-key and signature
/// headers) keep only their name and, for <c>Authorization</c>, the scheme word: <c>Bearer ***</c>, <c>Basic ***</c>;</item>
/// <item>a URL that is itself a credential (from a secret) keeps its scheme, host and port: <c>https://hooks.slack.com/***</c>;</item>
/// <item>every secret value the step uses is replaced by <see cref="Mask"/> wherever it still appears (URL, any header,
/// the body), whatever put it there;</item>
/// <item>userinfo in a URL (<c>https://user:password@host</c>) is masked too.</item>
/// </list>
/// A signature (HMAC) is masked although it does not reveal its key: a previewed request is a valid signed request for
/// as long as the receiver accepts its timestamp, and a viewer must not be able to forge one.
/// </summary>
public static class PreviewMasking
{
    public const string Mask = "***";

    /// <summary>Secrets shorter than this are not searched for in text (a 1-3 character "secret" would mask at random).</summary>
    public const int MinSearchedLength = 4;

    public static readonly IReadOnlySet<string> AlwaysMasked = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "Authorization", "Proxy-Authorization", "Cookie", "X-Callback-Token", "X-Api-Key", "X-Signature",
    };

    public static PreviewRequest Apply(CapturedRequest request, MaskingRules rules)
    {
        var secrets = rules.SecretValues.Where(s => s.Length >= MinSearchedLength).Distinct(StringComparer.Ordinal).OrderByDescending(s => s.Length).ToList();
        var credentialHeaders = new HashSet<string>(rules.CredentialHeaders, StringComparer.OrdinalIgnoreCase);

        var (url, urlMasked) = MaskUrl(request.Url, rules.UrlIsCredential, secrets);
        var headers = new List<PreviewHeader>();
        foreach (var (name, value) in request.Headers)
        {
            if (AlwaysMasked.Contains(name) || credentialHeaders.Contains(name))
                headers.Add(new PreviewHeader(name, MaskCredential(name, value), true));
            else if (name.Equals("Host", StringComparison.OrdinalIgnoreCase))
                headers.Add(new PreviewHeader(name, value, false));
            else
            {
                var masked = Replace(value, secrets);
                headers.Add(new PreviewHeader(name, masked, !ReferenceEquals(masked, value)));
            }
        }

        string? body = null, base64 = null;
        if (request.Body is { } bytes)
        {
            if (Utf8(bytes) is { } text)
                body = Replace(text, secrets);
            else if (secrets.Count == 0 || !secrets.Any(s => Contains(bytes, Encoding.UTF8.GetBytes(s))))
                base64 = Convert.ToBase64String(bytes);
            else
                base64 = Mask; // binary with a secret inside: nothing of it is shown
        }
        return new PreviewRequest(request.Method, url, headers, body, base64, urlMasked);
    }

    /// <summary><c>Authorization</c> keeps its scheme word (<c>Bearer ***</c>); any other credential header is <see cref="Mask"/>.</summary>
    public static string MaskCredential(string name, string value)
    {
        if (name.Equals("Authorization", StringComparison.OrdinalIgnoreCase) || name.Equals("Proxy-Authorization", StringComparison.OrdinalIgnoreCase))
        {
            var space = value.IndexOf(' ');
            if (space > 0 && value[..space].All(char.IsAsciiLetter))
                return value[..space] + " " + Mask;
        }
        return Mask;
    }

    private static (string Url, bool Masked) MaskUrl(Uri url, bool credential, IReadOnlyList<string> secrets)
    {
        var origin = $"{url.Scheme}://{url.IdnHost}{(url.IsDefaultPort ? "" : ":" + url.Port)}";
        if (credential)
            return (origin + "/" + Mask, true);
        var text = url.UserInfo.Length > 0 ? $"{url.Scheme}://{Mask}@{url.IdnHost}{(url.IsDefaultPort ? "" : ":" + url.Port)}{url.PathAndQuery}{url.Fragment}" : url.AbsoluteUri;
        var masked = Replace(text, secrets);
        // A secret may appear percent-encoded in a path or query.
        foreach (var secret in secrets)
            masked = masked.Replace(Uri.EscapeDataString(secret), Mask, StringComparison.Ordinal);
        return (masked, url.UserInfo.Length > 0 || masked != url.AbsoluteUri);
    }

    private static string Replace(string text, IReadOnlyList<string> secrets)
    {
        var result = text;
        foreach (var secret in secrets)
        {
            if (result.Contains(secret, StringComparison.Ordinal))
                result = result.Replace(secret, Mask, StringComparison.Ordinal);
        }
        return result;
    }

    private static string? Utf8(byte[] bytes)
    {
        try
        {
            return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
