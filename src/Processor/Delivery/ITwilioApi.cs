using Refit;

namespace ExternalAction.Processor.Delivery;

/// <summary>Twilio's Messages API (form-encoded, HTTP Basic with the account SID and auth token).</summary>
public interface ITwilioApi
{
    [Post("/2010-04-01/Accounts/{accountSid}/Messages.json")]
    Task<ApiResponse<string>> SendAsync(
        string accountSid,
        [Body(BodySerializationMethod.UrlEncoded)] Dictionary<string, string> form,
        [Header("Authorization")] string authorization,
        [Header("I-Twilio-Idempotency-Token")] string idempotencyKey,
        CancellationToken ct);
}
