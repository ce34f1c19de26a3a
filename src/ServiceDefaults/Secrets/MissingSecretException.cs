namespace ExternalAction.ServiceDefaults.Secrets;

/// <summary>
/// A secret named by an action or an option is not configured. Start-up checks refuse such a configuration; at run time
/// (a secret rotated away after start) it means the request cannot be made and will not become possible by retrying.
/// </summary>
public sealed class MissingSecretException(string name) : InvalidOperationException(Describe(name))
{
    public string SecretName { get; } = name;

    /// <summary>What is missing and where to set it; never a value.</summary>
    public static string Describe(string name) =>
        $"Secret '{name}' is not configured (set configuration key 'Secrets:{name}' or environment variable 'Secrets__{name}').";
}
