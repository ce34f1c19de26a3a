using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ExternalAction.Contracts.Callbacks;
using ExternalAction.Contracts.Json;
using ExternalAction.Contracts.Messaging;
using ExternalAction.Processor.Outbound;
using Microsoft.Extensions.Options;

namespace ExternalAction.Processor.Callbacks;

/// <summary>
/// POSTs the result to the request's <c>callbackUrl</c> with the platform's headers. A 401 gets one fresh IMS token and
/// one resend; 400/403 are final; 408/429/5xx and connection errors are transient (the caller reschedules).
/// </summary>
public sealed class CallbackClient(HttpClient http, ImsTokenProvider tokens, IOptions<CallbackOptions> options)
{
    public async Task<OutboundResult> SendAsync(ActionAccepted message, CallbackRequest body, CancellationToken ct)
    {
        var json = JsonSerializer.Serialize(body, ContractJson.Options);
        var elapsed = Stopwatch.StartNew();
        try
        {
            var result = await SendOnceAsync(message, json, forceRefresh: false, elapsed, ct);
            if (result.StatusCode == (int)HttpStatusCode.Unauthorized)
            {
                result = await SendOnceAsync(message, json, forceRefresh: true, elapsed, ct);
                if (result.StatusCode == (int)HttpStatusCode.Unauthorized)
                    result = result with { Failure = FailureKind.Permanent, Error = "HTTP 401 after refreshing the IMS token: check the callback credentials" };
            }
            return result;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or TimeoutException && !ct.IsCancellationRequested)
        {
            return HttpOutcome.FromException(e, elapsed);
        }
    }

    private async Task<OutboundResult> SendOnceAsync(ActionAccepted message, string json, bool forceRefresh, Stopwatch elapsed, CancellationToken ct)
    {
        var settings = options.Value;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(settings.TimeoutSeconds));
        using var request = new HttpRequestMessage(HttpMethod.Post, message.Request.CallbackUrl)
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("X-Callback-Token", message.Request.Token);
        if (await tokens.GetTokenAsync(forceRefresh, timeout.Token) is { } token)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if ((settings.ApiKey ?? settings.ClientId) is { } apiKey)
            request.Headers.TryAddWithoutValidation("X-Api-Key", apiKey);
        if ((message.Request.Context?.Subscription?.ImsOrgId ?? settings.ImsOrgId) is { } org)
            request.Headers.TryAddWithoutValidation("x-gw-ims-org-id", org);
        request.Headers.TryAddWithoutValidation("X-Request-Id", message.RequestId);

        using var response = await http.SendAsync(request, timeout.Token);
        var result = await HttpOutcome.FromResponseAsync(response, elapsed, timeout.Token);
        // The platform's refusals are final, whatever the generic rule says about their status.
        return response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Forbidden
            ? result with { Failure = FailureKind.Permanent }
            : result;
    }
}
