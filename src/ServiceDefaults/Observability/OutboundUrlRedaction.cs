using System.Diagnostics;
using OpenTelemetry.Instrumentation.Http;

namespace ExternalAction.ServiceDefaults.Observability;

/// <summary>
/// Outbound URLs in traces keep scheme, host and port only: a channel URL can be a credential (a Slack webhook's path
/// is its secret) or carry personal data rendered from a template. Applied to the HttpClient spans' <c>url.full</c> (and
/// the older <c>http.url</c>), with <c>url.path</c>/<c>url.query</c> removed and a display name that could hold the
/// path reduced to the method. Redacted when the span starts and again when it ends (with a response or an error),
/// whichever of the runtime and the instrumentation wrote the tag last.
/// </summary>
public static class OutboundUrlRedaction
{
    public const string Placeholder = "REDACTED";
    private static readonly string[] UrlTags = ["url.full", "http.url"];

    public static void Configure(HttpClientTraceInstrumentationOptions options)
    {
        options.EnrichWithHttpRequestMessage = (activity, request) => Redact(activity, request.RequestUri);
        options.EnrichWithHttpResponseMessage = (activity, response) => Redact(activity, response.RequestMessage?.RequestUri);
        options.EnrichWithException = (activity, _) => Redact(activity, null);
    }

    /// <summary><c>https://hooks.slack.com/REDACTED</c> for any URL on that host (default ports omitted).</summary>
    public static string Redacted(Uri uri) => $"{uri.Scheme}://{uri.Authority}/{Placeholder}";

    public static void Redact(Activity activity, Uri? requestUri)
    {
        if (requestUri is { IsAbsoluteUri: true })
            activity.SetTag("url.full", Redacted(requestUri));
        foreach (var tag in UrlTags)
        {
            if (activity.GetTagItem(tag) is string value)
                activity.SetTag(tag, Uri.TryCreate(value, UriKind.Absolute, out var uri) ? Redacted(uri) : Placeholder);
        }
        activity.SetTag("url.path", null);
        activity.SetTag("url.query", null);
        if (activity.DisplayName.Contains('/', StringComparison.Ordinal))
            activity.DisplayName = activity.GetTagItem("http.request.method") as string ?? "HTTP";
    }
}
