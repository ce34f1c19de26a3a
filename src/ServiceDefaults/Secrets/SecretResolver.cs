using Microsoft.Extensions.Configuration;

namespace ExternalAction.ServiceDefaults.Secrets;

/// <summary>
/// Resolves secrets referenced by name in action definitions and options: configuration key <c>Secrets:{name}</c>
/// (so environment variable <c>Secrets__{name}</c>). Values are never logged; a missing one names the key only.
/// </summary>
public sealed class SecretResolver(IConfiguration configuration)
{
    public string Resolve(string name)
    {
        var value = configuration[$"Secrets:{name}"];
        return string.IsNullOrEmpty(value)
            ? throw new InvalidOperationException($"Secret '{name}' is not configured (set configuration key 'Secrets:{name}' or environment variable 'Secrets__{name}').")
            : value;
    }

    public bool TryResolve(string name, out string value)
    {
        value = configuration[$"Secrets:{name}"] ?? "";
        return value.Length > 0;
    }
}
