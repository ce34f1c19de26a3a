namespace ExternalAction.Actions;

/// <summary>Webhook authentication kinds.</summary>
public static class ChannelAuthTypes
{
    public const string None = "none";
    public const string Bearer = "bearer";
    public const string Basic = "basic";
    public const string ApiKey = "apiKey";
    public const string Hmac = "hmac";

    public static IReadOnlyList<string> All { get; } = [None, Bearer, Basic, ApiKey, Hmac];
}
