namespace ExternalAction.Api.Authentication;

/// <summary>Throttling of failed authentication per client address (<c>ExternalAction:Auth:Throttle</c>).</summary>
public sealed class AuthThrottleOptions
{
    public const string Section = "ExternalAction:Auth:Throttle";

    /// <summary>Failed attempts (wrong caller credentials, support keys or token-endpoint clients) one address may make per window before every attempt from it answers 429.</summary>
    public int MaxFailures { get; set; } = 20;

    /// <summary>The fixed window the failures are counted in.</summary>
    public double WindowSeconds { get; set; } = 60;

    /// <summary>At most one Warning summarising failures per this many seconds; each failure itself is logged at Debug.</summary>
    public double SummarySeconds { get; set; } = 60;
}
