namespace ExternalAction.Api.Authentication;

/// <summary>The scheme names of <see cref="ExternalAction.Actions.CallerAuthOptions.Scheme"/>.</summary>
public static class CallerSchemes
{
    public const string ApiKey = "apiKey";
    public const string Basic = "basic";
    public const string OAuth2 = "oauth2";

    public const string IssueMode = "issue";
    public const string ExternalMode = "external";

    /// <summary>The key the Development environment accepts when nothing is configured (documented in README).</summary>
    public const string DevelopmentKey = "dev-key-change-me";
}
