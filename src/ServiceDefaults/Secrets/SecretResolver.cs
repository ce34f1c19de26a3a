using Microsoft.Extensions.Configuration;

namespace ExternalAction.ServiceDefaults.Secrets;

/// <summary>
/// Resolves secrets referenced by name in action definitions and options: configuration key <c>Secrets:{name}</c>
/// (so environment variable <c>Secrets__{name}</c>). Values are never logged; a missing one names the key only.
/// </summary>
public sealed class SecretResolver(IConfiguration configuration)
{
    /// <exception cref="MissingSecretException">The secret is not configured (or empty).</exception>
    public string Resolve(string name) =>
        TryResolve(name, out var value) ? value : throw new MissingSecretException(name);

    public bool TryResolve(string name, out string value)
    {
        value = configuration[$"Secrets:{name}"] ?? "";
        return value.Length > 0;
    }
}
