using System.Security.Cryptography;
using System.Text;

namespace ExternalAction.Api.Authentication;

/// <summary>Constant-time comparison of secrets: both sides are hashed first so neither content nor length leaks through timing.</summary>
public static class SecretComparer
{
    public static bool Matches(string presented, string expected)
    {
        Span<byte> a = stackalloc byte[32];
        Span<byte> b = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(presented), a);
        SHA256.HashData(Encoding.UTF8.GetBytes(expected), b);
        return CryptographicOperations.FixedTimeEquals(a, b);
    }

    /// <summary>True when any of the expected secrets matches; every candidate is compared, so timing does not tell which.</summary>
    public static bool MatchesAny(string presented, IEnumerable<string> expected)
    {
        var found = false;
        foreach (var candidate in expected)
            found |= Matches(presented, candidate);
        return found;
    }

    /// <summary>Compares a presented secret with a stored SHA-256 hex hash.</summary>
    public static bool MatchesHash(string presented, string expectedSha256Hex)
    {
        Span<byte> actual = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(presented), actual);
        byte[] expected;
        try
        {
            expected = Convert.FromHexString(expectedSha256Hex);
        }
        catch (FormatException)
        {
            return false;
        }
        return expected.Length == 32 && CryptographicOperations.FixedTimeEquals(actual, expected);
    }
}
