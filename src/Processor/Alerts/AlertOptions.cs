namespace ExternalAction.Processor.Alerts;

/// <summary>
/// Deadline and dead-letter alerts (<c>ExternalAction:Alerts</c>). Off until <see cref="UrlSecret"/> names a secret
/// holding the Slack incoming-webhook or generic webhook URL (a credential, so never written in configuration files
/// next to the rest).
/// </summary>
public sealed class AlertOptions
{
    public const string Section = "ExternalAction:Alerts";

    /// <summary>Name of the secret (<c>Secrets:&lt;name&gt;</c>) holding the webhook URL. Empty: no alerts.</summary>
    public string? UrlSecret { get; set; }

    /// <summary><c>slack</c> (body <c>{"text": …}</c>) or <c>webhook</c> (a JSON document with the condition's facts and the text).</summary>
    public string Kind { get; set; } = AlertKinds.Slack;

    /// <summary>Alert when at least this many unfinished requests are within <c>ExternalAction:Metrics:AtRiskMinutes</c> of their deadline (0: never).</summary>
    public int AtRiskThreshold { get; set; } = 10;

    /// <summary>Alert when at least this many requests were dead-lettered (ended Failed or TimedOut) since the last check (0: never).</summary>
    public int DeadLetterThreshold { get; set; } = 1;

    /// <summary>At most one alert per condition per this many minutes.</summary>
    public int IntervalMinutes { get; set; } = 15;

    /// <summary>How often the conditions are checked.</summary>
    public int CheckSeconds { get; set; } = 30;

    /// <summary>The console's public address (e.g. <c>https://support.example.com</c>); the alert links to its needs-attention view.</summary>
    public string? ConsoleBaseUrl { get; set; }

    /// <summary>
    /// The alert's text, Liquid like channel templates, over <c>condition</c> (<c>at-risk</c>, <c>dead-letters</c>),
    /// <c>title</c>, <c>value</c>, <c>threshold</c>, <c>link</c> and <c>intervalMinutes</c>.
    /// </summary>
    public string Text { get; set; } = "ExternalAction: {{ title }}: {{ value }} (threshold {{ threshold }}). {{ link }}";

    public bool Enabled => !string.IsNullOrWhiteSpace(UrlSecret);
}

public static class AlertKinds
{
    public const string Slack = "slack";
    public const string Webhook = "webhook";
}
