namespace ExternalAction.Api.Authentication;

/// <summary>
/// The rule every configured shared secret (API keys, Basic passwords, support keys) must meet for the service to
/// start: at least <see cref="MinimumLength"/> characters, not blank. The development key passes it.
/// </summary>
public static class SecretRules
{
    public const int MinimumLength = 16;

    /// <summary>What is wrong with a configured secret (never quoting it), or null when it is acceptable.</summary>
    public static string? Problem(string? secret) =>
        string.IsNullOrWhiteSpace(secret) ? $"is empty (secrets must hold at least {MinimumLength} characters)"
        : secret.Trim().Length < MinimumLength ? $"is shorter than {MinimumLength} characters"
        : null;
}
