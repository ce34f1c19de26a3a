using System.Net;
using System.Net.Http.Headers;
using Polly;
using Polly.Timeout;

namespace ExternalAction.Processor.Outbound;

/// <summary>
/// The one place that decides which HTTP outcomes are worth retrying: connection errors, timeouts, 408, 429, 5xx and a
/// busy destination host are transient; any other non-success status, a redirect (never followed) and a destination
/// address in a blocked range are permanent. Every outbound call (webhook, Slack and Twilio through Refit, callbacks)
/// reads its <see cref="HttpResponseMessage"/> through <see cref="FromResponseAsync"/>; <see cref="OutboundPipelines"/>
/// stamps the duration.
/// </summary>
public static class HttpOutcome
{
    private const int MaxBody = 64 * 1024;

    public static async Task<OutboundResult> FromResponseAsync(HttpResponseMessage response, TimeProvider clock, CancellationToken ct)
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
            RetryAfter = RetryAfter(response.Headers.RetryAfter, clock),
            Error = failure == FailureKind.None ? null
                : status is >= 300 and <= 399 ? RedirectReason(status, LocationHost(response))
                : $"HTTP {status} {response.ReasonPhrase}",
            ResponseBody = body,
        };
    }

    /// <summary>Why a 3xx ended the request: its status and the host it pointed to, never the path or query.</summary>
    public static string RedirectReason(int status, string? locationHost) =>
        $"HTTP {status} redirect to {locationHost ?? "(no Location header)"} refused: outbound requests never follow redirects";

    /// <summary>The host of a response's <c>Location</c>, resolved against the request for a relative one.</summary>
    public static string? LocationHost(HttpResponseMessage response)
    {
        if (response.Headers.Location is not { } location)
            return null;
        if (!location.IsAbsoluteUri && response.RequestMessage?.RequestUri is { } requested)
            location = new Uri(requested, location);
        return location.IsAbsoluteUri ? location.Authority : null;
    }

    /// <summary>
    /// An exception from sending: a refusal of the outbound pipeline (redirect, blocked address: permanent; busy host:
    /// transient, nothing sent) wherever it sits in the chain of inner exceptions, else transient, and the request may
    /// or may not have reached the server.
    /// </summary>
    public static OutboundResult FromException(Exception exception) => Refusal(exception) switch
    {
        RedirectRefusedException redirect => new() { Failure = FailureKind.Permanent, StatusCode = redirect.Status, Error = redirect.Message },
        OutboundRefusedException refused => new() { Failure = FailureKind.Permanent, Error = refused.Message },
        DestinationBusyException busy => new() { Failure = FailureKind.Transient, RetryAfter = busy.RetryAfter, Error = busy.Message },
        _ => FromSendFailure(exception),
    };

    /// <summary>
    /// Whether <paramref name="exception"/> is about sending (connection, timeout, a refusal of the outbound handlers or of
    /// the resilience pipeline) rather than a bug or a request that could not be built.
    /// </summary>
    public static bool IsSendFailure(Exception exception) =>
        exception is HttpRequestException or OperationCanceledException or TimeoutException or ExecutionRejectedException;

    private static Exception? Refusal(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is OutboundRefusedException or DestinationBusyException)
                return exception;
        }
        return null;
    }

    private static OutboundResult FromSendFailure(Exception exception)
    {
        // A wrapper is classified by the failure it carries.
        for (var inner = exception; inner is not null; inner = inner.InnerException)
        {
            if (inner is HttpRequestException or OperationCanceledException or TimeoutException or TimeoutRejectedException)
                return FromSendFailureItself(inner);
        }
        return FromSendFailureItself(exception);
    }

    private static OutboundResult FromSendFailureItself(Exception exception) => new()
    {
        Failure = FailureKind.Transient,
        Error = exception switch
        {
            OperationCanceledException or TimeoutException or TimeoutRejectedException => "timed out waiting for the response",
            HttpRequestException { HttpRequestError: var e } => $"connection error ({e})",
            _ => exception.GetType().Name,
        },
        OutcomeUnknown = exception is not HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError },
    };

    public static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;

    private static TimeSpan? RetryAfter(RetryConditionHeaderValue? header, TimeProvider clock)
    {
        if (header?.Delta is { } delta)
            return delta;
        if (header?.Date is { } date)
        {
            var wait = date - clock.GetUtcNow();
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
