using Refit;

namespace ExternalAction.Processor.Delivery;

/// <summary>
/// Twilio's Messages API (form-encoded, HTTP Basic with the account SID and auth token). The base URL is an action's
/// setting (Twilio's own, or a stand-in's), so the Messages URL is passed per call (<c>[Url]</c>) and one client
/// registered at start-up serves every action.
/// </summary>
public interface ITwilioApi
{
    [Post("")]
    Task<HttpResponseMessage> SendAsync(
        [Url] Uri messagesUrl,
        [Body(BodySerializationMethod.UrlEncoded)] Dictionary<string, string> form,
        [Header("Authorization")] string authorization,
        [Header("I-Twilio-Idempotency-Token")] string idempotencyKey,
        CancellationToken ct);

    /// <summary>The Messages resource of <paramref name="accountSid"/> under <paramref name="baseUrl"/>, whose path is kept.</summary>
    static Uri MessagesUrl(Uri baseUrl, string accountSid) =>
        new($"{baseUrl.GetLeftPart(UriPartial.Path).TrimEnd('/')}/2010-04-01/Accounts/{Uri.EscapeDataString(accountSid)}/Messages.json");
}
