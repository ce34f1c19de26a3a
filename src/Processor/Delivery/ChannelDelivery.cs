using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using ExternalAction.Actions;
using ExternalAction.Contracts.Messaging;
using ExternalAction.Processor.Outbound;
using ExternalAction.Processor.Templating;
using ExternalAction.ServiceDefaults.Secrets;

namespace ExternalAction.Processor.Delivery;

/// <summary>
/// Sends an action's message through its channel: generic webhook, Slack or Teams incoming webhook, Twilio or Sinch SMS (channel
/// <c>none</c> sends nothing), each attempt through the channel's resilience pipeline (<see cref="OutboundPipelines"/>:
/// pause after a 429, concurrency and rate budgets, timeout). Every delivery carries an idempotency key derived from the
/// request id, so a retried delivery can be de-duplicated downstream. Failures come back as <see cref="OutboundResult"/>s,
/// never as exceptions.
/// </summary>
public sealed class ChannelDelivery(
    ChannelClients clients,
    TemplateRenderer templates,
    OutboundPipelines pipelines,
    SecretResolver secrets,
    TimeProvider clock,
    ILogger<ChannelDelivery> logger)
{
    public const string WebhookClient = "externalaction-webhook";
    public const string TwilioDefaultBaseUrl = ChannelUrls.TwilioDefaultBaseUrl;

    /// <summary>A B2B work item: templates read <see cref="TemplateModel.Create"/>.</summary>
    public Task<OutboundResult> DeliverAsync(ActionDefinition action, ActionAccepted message, CancellationToken ct) =>
        DeliverAsync(action, message, () => TemplateModel.Create(message, action), ct);

    /// <param name="model">What the templates read (the contract adapter's template model); built inside the attempt, so
    /// a failure to build it is a permanent failure of this request, like a template that cannot render.</param>
    public async Task<OutboundResult> DeliverAsync(ActionDefinition action, ActionAccepted message, Func<JsonObject> model, CancellationToken ct)
    {
        var channel = action.Channel;
        if (channel.Type == ChannelTypes.None)
            return new OutboundResult { Failure = FailureKind.None };

        OutboundResult result;
        try
        {
            result = await pipelines.Channel(action).ExecuteAsync(attemptCt =>
            {
                var values = model();
                return channel.Type switch
                {
                    ChannelTypes.Webhook => WebhookAsync(channel, values, message.RequestId, attemptCt),
                    ChannelTypes.Slack => SlackAsync(channel, values, message.RequestId, attemptCt),
                    ChannelTypes.Teams => TeamsAsync(channel, values, message.RequestId, attemptCt),
                    ChannelTypes.Twilio => TwilioAsync(channel, values, message.RequestId, attemptCt),
                    ChannelTypes.Sinch => SinchAsync(channel, values, message.RequestId, attemptCt),
                    _ => throw new InvalidOperationException($"Unknown channel type '{channel.Type}'."),
                };
            }, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Anything else went wrong building the request from this request's data (a template, a header, a URL, data
            // the model cannot hold): the same data fails the same way every time, so it is permanent, never retried.
            result = new OutboundResult { Failure = FailureKind.Permanent, Error = BuildError(e) };
        }

        logger.LogDebug("Delivery of {RequestId} on {Channel}: {Status} in {Ms} ms", message.RequestId, channel.Type, result.StatusCode, (int)result.Duration.TotalMilliseconds);
        return result;
    }

    private async Task<OutboundResult> WebhookAsync(ChannelDefinition channel, JsonObject model, string requestId, CancellationToken ct)
    {
        var url = Url(channel, model);
        using var request = new HttpRequestMessage(new HttpMethod(channel.Method), url);
        string? body = null;
        if (channel.Method is not ("GET" or "DELETE") && channel.Body is not null)
        {
            body = templates.RenderJson(channel.Body, model)?.ToJsonString() ?? "null";
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }
        foreach (var (name, template) in channel.Headers)
            OutboundHeaders.Add(request, name, templates.RenderText(template, model));
        OutboundHeaders.Add(request, "Idempotency-Key", requestId);
        Authenticate(request, channel.Auth, body ?? "");

        // Mutual TLS: a client of its own that presents the channel's certificate (ClientCertificateClients).
        using var response = await clients.Webhook(channel.ClientCertificate).SendAsync(request, ct);
        return await HttpOutcome.FromResponseAsync(response, clock, ct);
    }

    private void Authenticate(HttpRequestMessage request, ChannelAuth auth, string body)
    {
        switch (auth.Type)
        {
            case ChannelAuthTypes.Bearer:
                OutboundHeaders.Add(request, "Authorization", "Bearer " + secrets.Resolve(auth.Secret!));
                break;
            case ChannelAuthTypes.Basic:
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
                    Convert.ToBase64String(Encoding.UTF8.GetBytes($"{auth.Username}:{secrets.Resolve(auth.Secret!)}")));
                break;
            case ChannelAuthTypes.ApiKey:
                OutboundHeaders.Add(request, auth.HeaderName ?? "X-API-Key", secrets.Resolve(auth.Secret!));
                break;
            case ChannelAuthTypes.Hmac:
                // Receivers recompute HMAC-SHA256(secret, "{timestamp}.{body}") and reject stale timestamps.
                HmacSignature.Sign(request, secrets.Resolve(auth.Secret!), auth.HeaderName ?? "X-Signature", body, clock);
                break;
        }
    }

    private async Task<OutboundResult> SlackAsync(ChannelDefinition channel, JsonObject model, string requestId, CancellationToken ct)
    {
        var url = Url(channel, model);
        var message = new JsonObject();
        if (channel.Text is not null)
            message["text"] = templates.RenderText(channel.Text, model);
        if (channel.Blocks is not null)
            message["blocks"] = templates.RenderJson(channel.Blocks, model);
        using var response = await clients.Slack.PostAsync(url, message, requestId, ct);
        return await HttpOutcome.FromResponseAsync(response, clock, ct);
    }

    /// <summary>
    /// A Teams incoming webhook takes a message whose one attachment is the Adaptive Card (<c>card</c>, rendered leaf by
    /// leaf); with only <c>text</c>, a card holding that text. Teams answers 2xx when it took the message, 429 when throttled.
    /// </summary>
    private async Task<OutboundResult> TeamsAsync(ChannelDefinition channel, JsonObject model, string requestId, CancellationToken ct)
    {
        var url = Url(channel, model);
        var card = channel.Card is not null
            ? templates.RenderJson(channel.Card, model)
            : new JsonObject
            {
                ["type"] = "AdaptiveCard",
                ["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json",
                ["version"] = "1.4",
                ["body"] = new JsonArray(new JsonObject { ["type"] = "TextBlock", ["wrap"] = true, ["text"] = templates.RenderText(channel.Text!, model) }),
            };
        var message = new JsonObject
        {
            ["type"] = "message",
            ["attachments"] = new JsonArray(new JsonObject { ["contentType"] = "application/vnd.microsoft.card.adaptive", ["contentUrl"] = null, ["content"] = card }),
        };
        using var response = await clients.Teams.PostAsync(url, message, requestId, ct);
        return await HttpOutcome.FromResponseAsync(response, clock, ct);
    }

    private async Task<OutboundResult> TwilioAsync(ChannelDefinition channel, JsonObject model, string requestId, CancellationToken ct)
    {
        var form = new Dictionary<string, string>
        {
            ["To"] = templates.RenderText(channel.To!, model),
            ["Body"] = templates.RenderText(channel.Text!, model),
        };
        if (channel.MessagingServiceSid is not null)
            form["MessagingServiceSid"] = channel.MessagingServiceSid;
        else
            form["From"] = channel.From!;
        var authorization = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{channel.AccountSid}:{secrets.Resolve(channel.AuthTokenSecret!)}"));
        OutboundHeaders.Check("Authorization", authorization);
        var messages = ITwilioApi.MessagesUrl(new Uri(channel.BaseUrl ?? TwilioDefaultBaseUrl), channel.AccountSid!);
        using var response = await clients.Twilio.SendAsync(messages, form, authorization, requestId, ct);
        return await HttpOutcome.FromResponseAsync(response, clock, ct);
    }

    /// <summary>
    /// A Sinch batch of one text message (<c>mt_text</c>). Sinch answers 201 with the batch; 400 (bad number, bad body)
    /// and 401/403 are permanent, 429 and 5xx transient, like every channel (<see cref="HttpOutcome"/>).
    /// </summary>
    private async Task<OutboundResult> SinchAsync(ChannelDefinition channel, JsonObject model, string requestId, CancellationToken ct)
    {
        var batch = new JsonObject
        {
            ["from"] = channel.From,
            ["to"] = new JsonArray(templates.RenderText(channel.To!, model)),
            ["body"] = templates.RenderText(channel.Text!, model),
            ["type"] = "mt_text",
            // Sinch's own field for the caller's id of a batch: the request id, so a batch can be found from the row.
            ["client_reference"] = requestId,
        };
        var authorization = "Bearer " + secrets.Resolve(channel.ApiTokenSecret!);
        OutboundHeaders.Check("Authorization", authorization);
        var batches = ISinchApi.BatchesUrl(new Uri(ChannelUrls.SinchBaseUrl(channel)), channel.ServicePlanId!);
        using var response = await clients.Sinch.SendAsync(batches, batch, authorization, requestId, ct);
        return await HttpOutcome.FromResponseAsync(response, clock, ct);
    }

    /// <summary>The channel's URL: taken whole from its secret, or rendered from its template.</summary>
    private Uri Url(ChannelDefinition channel, JsonObject model) =>
        channel.UrlSecret is { } secretName ? Absolute(secrets.Resolve(secretName))
        : channel.UrlFrom is { } path ? FromModel(channel, model, path)
        : templates.RenderUrl(channel.Url!, model);

    /// <summary>A URL the request's data holds whole (<see cref="ChannelDefinition.UrlFrom"/>): only to the action's allowed hosts.</summary>
    private static Uri FromModel(ChannelDefinition channel, JsonObject model, string path)
    {
        JsonNode? node = model;
        foreach (var segment in path.Split('.'))
            node = node is JsonObject obj ? obj[segment] : null;
        var value = node is JsonValue v && v.TryGetValue<string>(out var text) ? text : null;
        return ChannelUrls.FromValue(value, channel.AllowedHosts, out var problem)
            ?? throw new TemplateException($"the channel URL from '{path}' {problem}");
    }

    /// <summary>A channel URL taken whole from a secret (Slack webhooks): it must be an absolute http(s) URL.</summary>
    private static Uri Absolute(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http"
            ? uri
            : throw new TemplateException("the channel URL secret does not hold an absolute http(s) URL");

    /// <summary>Why the request could not be built, for the row and the failure callback: never a value, only what failed.</summary>
    private static string BuildError(Exception e) => e switch
    {
        TemplateException or UnsafeHeaderException or MissingSecretException or CryptographicException => e.Message,
        _ => $"the channel request could not be built from this request's data ({e.GetType().Name}: {Processing.LogText.Clean(e.Message)})",
    };
}
