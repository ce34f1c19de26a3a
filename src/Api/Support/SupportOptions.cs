namespace ExternalAction.Api.Support;

/// <summary>Credentials of the support queries (<c>ExternalAction:Support</c>), separate from the platform's.</summary>
public sealed class SupportOptions
{
    public const string Section = "ExternalAction:Support";
    public const string HeaderName = "X-Support-Key";

    /// <summary>Keys accepted in <c>X-Support-Key</c>. None configured = the support endpoints answer 401.</summary>
    public List<string> ApiKeys { get; set; } = [];
}
