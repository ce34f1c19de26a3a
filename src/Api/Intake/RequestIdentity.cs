using System.Security.Cryptography;
using System.Text;
using ExternalAction.Contracts.Platform;

namespace ExternalAction.Api.Intake;

/// <summary>
/// A request's identity is its action, token and entity (type and ids): the platform's retry of the same call gets
/// the same id, while one token reused for another entity (Adobe's Postman collection does that) is another request.
/// </summary>
public static class RequestIdentity
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    public static string RequestId(string actionName, ExecutionRequest request)
    {
        var context = request.ObjectData!.ObjectContext!;
        var builder = new StringBuilder()
            .Append(actionName).Append('\n')
            .Append(request.Token).Append('\n')
            .Append(request.ObjectData.ObjectType).Append('\n');
        switch (request.ObjectData.ObjectType)
        {
            case ObjectTypes.Lead:
                builder.Append(context.LeadId);
                break;
            case ObjectTypes.Account:
                builder.Append(context.AccountId);
                break;
            default:
                builder.Append(context.AccountId);
                foreach (var relId in context.AccountPersonRelationships!.Select(r => r!.AccountPersonRelId).Order())
                    builder.Append(',').Append(relId);
                break;
        }

        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(builder.ToString()), hash);
        return "req-" + Base32(hash[..16]);
    }

    private static string Base32(ReadOnlySpan<byte> bytes)
    {
        var output = new StringBuilder((bytes.Length * 8 + 4) / 5);
        int buffer = 0, bits = 0;
        foreach (var b in bytes)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                output.Append(Alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0)
            output.Append(Alphabet[(buffer << (5 - bits)) & 31]);
        return output.ToString();
    }
}
