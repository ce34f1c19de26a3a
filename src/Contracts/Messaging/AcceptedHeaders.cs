namespace ExternalAction.Contracts.Messaging;

/// <summary>
/// Transport headers the Api sets on every <see cref="ActionAccepted"/>. They repeat what a status row needs, so a
/// message whose body cannot be read still ends in a <c>Failed</c> row that support can find.
/// </summary>
public static class AcceptedHeaders
{
    public const string RequestId = "ExternalAction-RequestId";
    public const string ActionName = "ExternalAction-Action";
    public const string ActionVersion = "ExternalAction-ActionVersion";
    public const string EntityType = "ExternalAction-EntityType";
    /// <summary>The platform contract (<see cref="ContractNames"/>); absent on messages of schema version 1 (B2B).</summary>
    public const string Contract = "ExternalAction-Contract";
    /// <summary>Unix milliseconds.</summary>
    public const string ReceivedAt = "ExternalAction-ReceivedAt";
    /// <summary>Unix milliseconds.</summary>
    public const string Deadline = "ExternalAction-Deadline";
}
