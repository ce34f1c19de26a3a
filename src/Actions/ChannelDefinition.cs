using System.Text.Json.Nodes;

namespace ExternalAction.Actions;

/// <summary>
/// The channel of an action and its request template. String values may hold Liquid placeholders rendered
/// over the execution request; <see cref="Body"/> and <see cref="Blocks"/> are JSON templates rendered leaf by leaf.
/// </summary>
public sealed record ChannelDefinition
{
    public required string Type { get; init; }

    // Generic webhook.
    public string Method { get; init; } = "POST";
    public string? Url { get; init; }
    /// <summary>Name of a secret holding the URL, when the URL itself is a credential (Slack incoming webhooks).</summary>
    public string? UrlSecret { get; init; }
    /// <summary>
    /// Dotted path of a template-model value holding the whole URL (SFMC: <c>inArguments.webhookUrl</c>, a URL the marketer
    /// sets per journey). Platform data choosing a host: allowed only with <see cref="AllowedHosts"/>, https, and through
    /// the outbound address policy like every other URL.
    /// </summary>
    public string? UrlFrom { get; init; }
    /// <summary>Hosts a <see cref="UrlFrom"/> URL may name: exact names or <c>*.domain</c> wildcards.</summary>
    public List<string> AllowedHosts { get; init; } = [];
    public Dictionary<string, string> Headers { get; init; } = [];
    public JsonNode? Body { get; init; }
    public ChannelAuth Auth { get; init; } = new();
    /// <summary>Mutual TLS: the client certificate the webhook presents (null: none).</summary>
    public ChannelClientCertificate? ClientCertificate { get; init; }

    // Slack incoming webhook.
    public string? Text { get; init; }
    public JsonArray? Blocks { get; init; }

    // Microsoft Teams incoming webhook: an Adaptive Card (JSON template), sent as the card attachment of a message.
    public JsonObject? Card { get; init; }

    // Twilio SMS (Messages API).
    public string? BaseUrl { get; init; }
    public string? AccountSid { get; init; }
    public string? AuthTokenSecret { get; init; }
    public string? From { get; init; }
    public string? MessagingServiceSid { get; init; }
    public string? To { get; init; }

    // Sinch SMS (REST API batches); also reads BaseUrl, From, To and Text.
    public string? ServicePlanId { get; init; }
    /// <summary>Name of the secret holding the service plan's API token (sent as a bearer token).</summary>
    public string? ApiTokenSecret { get; init; }
    /// <summary>Sinch region of the service plan: <c>us</c> (default), <c>eu</c>, <c>au</c>, <c>br</c> or <c>ca</c>; <see cref="BaseUrl"/> overrides it.</summary>
    public string? Region { get; init; }

    /// <summary>
    /// Liquid template of the recipient's address that the suppression list and address caps key on (default: Twilio's
    /// and Sinch's <c>to</c>; other channels have none unless given). Its kind is <see cref="AddressKind"/>, else the channel's.
    /// </summary>
    public string? Address { get; init; }
    /// <summary><c>sms</c>, <c>email</c>, <c>slack</c> or <c>webhook</c>; default: the channel's own kind.</summary>
    public string? AddressKind { get; init; }

    /// <summary>Requests per second this channel may receive from one Processor instance (0 = unlimited).</summary>
    public double RatePerSecond { get; init; }
    /// <summary>Deliveries in flight at once on this channel in one Processor instance.</summary>
    public int MaxConcurrency { get; init; } = 16;
    /// <summary>Seconds one delivery attempt may take.</summary>
    public int TimeoutSeconds { get; init; } = 30;
}
