using System.Buffers;
using System.Text;
using System.Text.Json;
using ExternalAction.Contracts.Json;
using ExternalAction.Contracts.Messaging;
using ExternalAction.Contracts.Platform;
using ExternalAction.Store;

namespace ExternalAction.Processor.Processing;

/// <summary>
/// Turns an accepted message into its status row. The payload kept for support has the callback token removed and
/// the values of admin global attributes and header parameters masked: they often hold API keys.
/// </summary>
public static class RequestRows
{
    public const string Mask = "***";

    public static NewRequest From(ActionAccepted message)
    {
        var request = message.B2B;
        var context = request.ObjectData?.ObjectContext;
        var people = context?.AccountPersonRelationships?.Where(r => r?.PersonId is not null).Select(r => r!.PersonId!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        return new NewRequest
        {
            RequestId = message.RequestId,
            ActionName = message.ActionName,
            ActionVersion = message.ActionVersion,
            Contract = message.Contract,
            EntityType = request.ObjectData?.ObjectType ?? "",
            LeadId = context?.LeadId,
            AccountId = context?.AccountId,
            PersonIds = people is { Count: > 0 } ? string.Join(',', people) : null,
            JourneyId = request.Context?.Journey?.Id,
            JourneyName = request.Context?.Journey?.Name,
            ImsOrgId = request.Context?.Subscription?.ImsOrgId,
            MunchkinId = request.Context?.Subscription?.MunchkinId,
            ReceivedAt = message.ReceivedAt,
            DeadlineAt = message.Deadline,
            RequestPayload = MaskedPayload(request),
            RequestHash = Hash(message),
        };
    }

    /// <summary>
    /// SHA-256 of everything the request is processed from (the whole request, token included, the header parameters
    /// and the action version): equal for the platform's retries of one call, different for a resubmission of the same
    /// token and entity with another body or callbackUrl, which must never change what is sent or where.
    /// </summary>
    public static string Hash(ActionAccepted message)
    {
        var json = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new HashedContent(message.ActionVersion, message.B2B, message.HttpHeaders), ContractJson.Options);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(json));
    }

    private sealed record HashedContent(string ActionVersion, ExecutionRequest Request, Dictionary<string, string>? HttpHeaders);

    /// <summary>
    /// The request as support may see it: serialised with the contract's options, the top-level <c>token</c> left out
    /// and every value of <c>context.admin</c> and <c>customHeaders</c> replaced by <see cref="Mask"/>. One pass over
    /// the serialised bytes, copying what is kept as it is (no JSON tree): it runs for every request in both hosts.
    /// </summary>
    public static string MaskedPayload(ExecutionRequest request)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(request, ContractJson.Options);
        var output = new ArrayBufferWriter<byte>(json.Length);
        using (var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = ContractJson.Options.Encoder }))
        {
            var reader = new Utf8JsonReader(json);
            reader.Read();
            CopyObject(ref reader, writer, json, static (ref Utf8JsonReader r) =>
                r.ValueTextEquals("token"u8) ? Kept.Dropped
                : r.ValueTextEquals("customHeaders"u8) ? Kept.ValuesMasked
                : r.ValueTextEquals("context"u8) ? Kept.Context
                : Kept.AsIs);
        }
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    /// <summary>What becomes of a property: copied, left out, its value masked, its object's values masked, or (the context) its admin values masked.</summary>
    private enum Kept { AsIs, Dropped, Masked, ValuesMasked, Context }

    private delegate Kept PropertyRule(ref Utf8JsonReader reader);

    /// <summary>Copies the object the reader is on, each property as <paramref name="rule"/> says (read on its name).</summary>
    private static void CopyObject(ref Utf8JsonReader reader, Utf8JsonWriter writer, byte[] json, PropertyRule rule)
    {
        writer.WriteStartObject();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var kept = rule(ref reader);
            if (kept != Kept.Dropped)
                writer.WritePropertyName(reader.GetString()!);
            reader.Read();
            switch (kept)
            {
                case Kept.Dropped:
                    reader.Skip();
                    break;
                case Kept.ValuesMasked when reader.TokenType == JsonTokenType.StartObject:
                    CopyObject(ref reader, writer, json, static (ref Utf8JsonReader _) => Kept.Masked);
                    break;
                case Kept.Masked:
                    // a property of customHeaders or context.admin: its value, whatever it is
                    writer.WriteStringValue(Mask);
                    reader.Skip();
                    break;
                case Kept.Context when reader.TokenType == JsonTokenType.StartObject:
                    CopyObject(ref reader, writer, json, static (ref Utf8JsonReader r) => r.ValueTextEquals("admin"u8) ? Kept.ValuesMasked : Kept.AsIs);
                    break;
                default:
                    // Our own serialiser wrote these bytes with the options the output uses: copied, they are what it would write again.
                    var from = (int)reader.TokenStartIndex;
                    reader.Skip();
                    writer.WriteRawValue(json.AsSpan(from, (int)reader.BytesConsumed - from), skipInputValidation: true);
                    break;
            }
        }
        writer.WriteEndObject();
    }
}
