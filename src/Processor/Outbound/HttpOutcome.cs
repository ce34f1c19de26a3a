using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;

namespace ExternalAction.Processor.Outbound;

/// <summary>
/// The one place that decides which HTTP outcomes are worth retrying: connection errors, timeouts, 408, 429 and
/// 5xx are transient; any other non-success status is permanent.
/// </summary>
public static class HttpOutcome
{
    private const int MaxBody = 64 * 1024;

    public static async Task<OutboundResult> FromResponseAsync(HttpResponseMessage response, Stopwatch elapsed, CancellationToken ct)
    {
        var body = await ReadBodyAsync(response.Content, ct);
        var status = (int)response.StatusCode;
        var failure = response.IsSuccessStatusCode ? FailureKind.None
            : IsTransient(response.StatusCode) ? FailureKind.Transient
            : FailureKind.Permanent;
        return new OutboundResult
        {
            Failure = failure,
            StatusCode = status,
            Duration = elapsed.Elapsed,
            RetryAfter = RetryAfter(response.Headers.RetryAfter),
            Error = failure == FailureKind.None ? null : $"HTTP {status} {response.ReasonPhrase}",
            ResponseBody = body,
        };
    }

    /// <summary>An exception from sending: transient, and the request may or may not have reached the server.</summary>
    public static OutboundResult FromException(Exception exception, Stopwatch elapsed) => new()
    {
        Failure = FailureKind.Transient,
        Duration = elapsed.Elapsed,
        Error = exception switch
        {
            TaskCanceledException or TimeoutException => "timed out waiting for the response",
            HttpRequestException { HttpRequestError: var e } => $"connection error ({e})",
            _ => exception.GetType().Name,
        },
        OutcomeUnknown = exception is not HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError },
    };

    public static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;

    private static TimeSpan? RetryAfter(RetryConditionHeaderValue? header)
    {
        if (header?.Delta is { } delta)
            return delta;
        if (header?.Date is { } date)
        {
            var wait = date - DateTimeOffset.UtcNow;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }
        return null;
    }

    private static async Task<string?> ReadBodyAsync(HttpContent? content, CancellationToken ct)
    {
        if (content is null)
            return null;
        var text = await content.ReadAsStringAsync(ct);
        return text.Length > MaxBody ? text[..MaxBody] : text;
    }
}
