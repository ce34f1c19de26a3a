namespace ExternalAction.Actions;

/// <summary>Where an action delivers its message.</summary>
public static class ChannelTypes
{
    public const string None = "none";
    public const string Webhook = "webhook";
    public const string Slack = "slack";
    public const string Twilio = "twilio";
    /// <summary>Microsoft Teams incoming webhook (Workflows or the classic connector): an Adaptive Card.</summary>
    public const string Teams = "teams";
    /// <summary>Sinch SMS REST API (batches).</summary>
    public const string Sinch = "sinch";

    public static IReadOnlyList<string> All { get; } = [None, Webhook, Slack, Twilio, Teams, Sinch];
}
