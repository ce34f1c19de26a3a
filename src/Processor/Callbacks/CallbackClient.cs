using System.Net;
using System.Text;
using System.Text.Json;
using ExternalAction.Contracts.Callbacks;
using ExternalAction.Contracts.Json;
using ExternalAction.Contracts.Messaging;
using ExternalAction.Processor.Outbound;
using ExternalAction.ServiceDefaults.Secrets;
using Microsoft.Extensions.Options;

namespace ExternalAction.Processor.Callbacks;

/// <summary>
/// POSTs the result to the request's <c>callbackUrl</c> with the platform's headers (contract §4.1), each attempt through
/// the callbacks' one resilience pipeline (<see cref="OutboundPipelines.Callbacks"/>: a 429 pauses every callback until
/// its Retry-After; <see cref="CallbackOptions.TimeoutSeconds"/> per attempt). A 401 gets one fresh IMS token and one
/// resend; a second 401, 400 and 403 are final; 408/429/5xx, connection errors, timeouts and a failing IMS token endpoint
/// are transient (the caller reschedules). The response body stays in the result.
/// </summary>
public sealed class CallbackClient(HttpClient http, ImsTokenProvider tokens, OutboundPipelines pipelines, TimeProvider clock, IOptions<CallbackOptions> options)
{
    public Task<OutboundResult> SendAsync(ActionAccepted message, CallbackRequest body, CancellationToken ct) =>
        SendAsync(message, JsonSerializer.Serialize(body, ContractJson.Options), ct);

    /// <summary>Sends a callback body already written (the one kept in the row, so every attempt sends the same bytes).</summary>
    public async Task<OutboundResult> SendAsync(ActionAccepted message, string json, CancellationToken ct)
    {
        var pipeline = pipelines.Callbacks(TimeSpan.FromSeconds(options.Value.TimeoutSeconds));
        var result = await pipeline.ExecuteAsync(attemptCt => SendOnceAsync(message, json, forceRefresh: false, attemptCt, ct), ct);
        if (result.StatusCode != (int)HttpStatusCode.Unauthorized)
            return result;
        if (string.IsNullOrWhiteSpace(options.Value.ImsTokenUrl))
            return result with { Failure = FailureKind.Permanent, Error = $"HTTP 401 and no IMS token endpoint is configured ({CallbackOptions.Section}:ImsTokenUrl)" };

        var resent = await pipeline.ExecuteAsync(attemptCt => SendOnceAsync(message, json, forceRefresh: true, attemptCt, ct), ct);
        resent = resent with { Duration = result.Duration + resent.Duration };
        return resent.StatusCode == (int)HttpStatusCode.Unauthorized
            ? resent with { Failure = FailureKind.Permanent, Error = "HTTP 401 again with a fresh IMS token: check the callback credentials (ClientId, ApiKey, ImsOrgId)" }
            : resent;
    }

    /// <summary>
    /// The callback request of contract §4.1 for <paramref name="json"/> with the IMS <paramref name="token"/> (none: no
    /// <c>Authorization</c>): what every attempt sends, and what a preview shows.
    /// </summary>
    /// <exception cref="UnsafeHeaderException">A header value is unsafe to send (nothing is sent then).</exception>
    public static HttpRequestMessage Request(ActionAccepted message, string json, string? token, CallbackOptions settings)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, message.B2B.CallbackUrl)
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        try
        {
            OutboundHeaders.Add(request, "X-Callback-Token", message.B2B.Token);
            if (token is not null)
                OutboundHeaders.Add(request, "Authorization", "Bearer " + token);
            if ((settings.ApiKey ?? settings.ClientId) is { Length: > 0 } apiKey)
                OutboundHeaders.Add(request, "X-Api-Key", apiKey);
            if ((message.B2B.Context?.Subscription?.ImsOrgId ?? settings.ImsOrgId) is { Length: > 0 } org)
                OutboundHeaders.Add(request, "x-gw-ims-org-id", org);
            OutboundHeaders.Add(request, "X-Request-Id", message.RequestId);
            return request;
        }
        catch
        {
            request.Dispose();
            throw;
        }
    }

    /// <param name="ct">The attempt's token: cancelled at the attempt's timeout or by <paramref name="callerCt"/>.</param>
    /// <param name="callerCt">The caller's own token.</param>
    private async Task<OutboundResult> SendOnceAsync(ActionAccepted message, string json, bool forceRefresh, CancellationToken ct, CancellationToken callerCt)
    {
        var settings = options.Value;
        string? token;
        try
        {
            token = await tokens.GetTokenAsync(forceRefresh, ct);
        }
        catch (MissingSecretException e)
        {
            // The IMS client secret was rotated away after start: the same on every attempt, so the request ends once
            // instead of being re-claimed until its deadline.
            return new OutboundResult { Failure = FailureKind.Permanent, Error = $"no IMS access token: {e.Message}" };
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !callerCt.IsCancellationRequested)
        {
            // Nothing reached the platform, so the outcome is known: not sent.
            return new OutboundResult
            {
                Failure = FailureKind.Transient,
                Error = e is HttpRequestException ? $"no IMS access token: {e.Message}" : "no IMS access token: the token endpoint timed out",
            };
        }

        HttpRequestMessage request;
        try
        {
            request = Request(message, json, token, settings);
        }
        catch (UnsafeHeaderException e)
        {
            // Nothing was sent, and the same values would fail the same way: permanent (intake refuses such values).
            return new OutboundResult { Failure = FailureKind.Permanent, Error = e.Message };
        }

        // Send failures and timeouts are classified by the pipeline (OutboundPipelines, HttpOutcome.FromException).
        using var sent = request;
        using var response = await http.SendAsync(sent, ct);
        var result = await HttpOutcome.FromResponseAsync(response, clock, ct);
        // The platform's refusals are final, whatever the generic rule says about their status.
        return response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Forbidden
            ? result with { Failure = FailureKind.Permanent }
            : result;
    }
}
