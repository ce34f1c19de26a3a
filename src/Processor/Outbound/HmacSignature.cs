using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ExternalAction.Processor.Outbound;

/// <summary>
/// The HMAC signature of an outbound body, for receivers to check who sent it and when: HMAC-SHA256(key,
/// "{unix seconds}.{body}") as <c>sha256=&lt;hex&gt;</c> in <paramref name="headerName"/>, the timestamp in
/// <c>X-Signature-Timestamp</c> (receivers reject stale ones). The webhook channel's <c>hmac</c> auth and the AJO status
/// webhook sign alike.
/// </summary>
public static class HmacSignature
{
    public const string TimestampHeader = "X-Signature-Timestamp";

    public static void Sign(HttpRequestMessage request, string key, string headerName, string body, TimeProvider clock)
    {
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes($"{timestamp}.{body}"));
        OutboundHeaders.Add(request, headerName, "sha256=" + Convert.ToHexStringLower(signature));
        OutboundHeaders.Add(request, TimestampHeader, timestamp);
    }
}
