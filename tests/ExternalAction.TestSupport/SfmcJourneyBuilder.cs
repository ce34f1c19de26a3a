using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ExternalAction.TestSupport;

/// <summary>
/// Plays Journey Builder in tests: the execute payload it sends for one contact, signed as it signs it (HS256 with the
/// Installed Package's JWT signing secret), and the signed or unsigned variants the JWT table needs.
/// </summary>
public static class SfmcJourneyBuilder
{
    /// <summary>A 64-character JWT signing secret, as an Installed Package shows one.</summary>
    public const string SigningSecret = "jb-signing-secret-0123456789abcdef0123456789abcdef0123456789abcd";
    public const string NextSigningSecret = "jb-signing-secret-next-0123456789abcdef0123456789abcdef012345678";

    /// <summary>The settings that configure <see cref="SigningSecret"/> as the deployment's signing secret.</summary>
    public static Dictionary<string, string?> Settings(string? secondSecret = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ExternalAction:Sfmc:SigningSecrets:0:Name"] = "sfmc-jwt",
            ["Secrets:sfmc-jwt"] = SigningSecret,
        };
        if (secondSecret is not null)
        {
            settings["ExternalAction:Sfmc:SigningSecrets:1:Name"] = "sfmc-jwt-next";
            settings["Secrets:sfmc-jwt-next"] = secondSecret;
        }
        return settings;
    }

    /// <summary>One contact's execute payload: the in-arguments as one-key objects and the ids Journey Builder adds.</summary>
    public static JsonObject Payload(IDictionary<string, JsonNode?> inArguments, string contactKey = "0032u00000lgB1zAAE",
        string activityId = "ecd2c003-63b1-4a29-8304-e4265054a80e", string definitionInstanceId = "673b8793-4a42-4fef-8185-f10756d01c2e")
    {
        var items = new JsonArray();
        foreach (var (name, value) in inArguments)
            items.Add(new JsonObject { [name] = value?.DeepClone() });
        return new JsonObject
        {
            ["inArguments"] = items,
            ["outArguments"] = new JsonArray(),
            ["activityObjectID"] = activityId,
            ["activityId"] = activityId,
            ["journeyId"] = "d86d04f8-590e-4c88-b8a7-b5d80438a286",
            ["definitionInstanceId"] = definitionInstanceId,
            ["activityInstanceId"] = Guid.NewGuid().ToString(),
            ["keyValue"] = contactKey,
            ["mode"] = 0,
        };
    }

    /// <summary>Signs <paramref name="payload"/> as Journey Builder does: HS256 over the secret's bytes.</summary>
    public static string Sign(JsonObject payload, string secret = SigningSecret) => Sign(payload, Encoding.UTF8.GetBytes(secret), SecurityAlgorithms.HmacSha256);

    public static string Sign(JsonObject payload, byte[] key, string algorithm) =>
        new JsonWebTokenHandler().CreateToken(payload.ToJsonString(), new SigningCredentials(new SymmetricSecurityKey(key), algorithm));

    /// <summary>A token with <c>alg: none</c> and no signature.</summary>
    public static string Unsigned(JsonObject payload) =>
        $"{Base64UrlEncoder.Encode("{\"alg\":\"none\",\"typ\":\"JWT\"}")}.{Base64UrlEncoder.Encode(payload.ToJsonString())}.";

    /// <summary>A token signed RS256 with a fresh RSA key.</summary>
    public static string SignedRs256(JsonObject payload)
    {
        using var rsa = RSA.Create(2048);
        return new JsonWebTokenHandler().CreateToken(payload.ToJsonString(), new SigningCredentials(new RsaSecurityKey(rsa.ExportParameters(true)), SecurityAlgorithms.RsaSha256));
    }

    public static HttpContent Jwt(string token) => new StringContent(token, Encoding.UTF8, "application/jwt");
}
