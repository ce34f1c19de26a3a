namespace ExternalAction.ServiceDefaults.Messaging;

/// <summary>
/// Queue and exchange names shared by the Api (which binds them when publishing, so no accepted message is ever
/// published to an exchange with no queue) and the Processor (which consumes them).
/// </summary>
public static class QueueNames
{
    /// <summary>The processing queue: delivery, decision, callback.</summary>
    public const string Process = "externalaction-process";

    /// <summary>Where MassTransit moves the message of a request that ended without word to the platform (the dead letters).</summary>
    public const string ProcessErrors = Process + "_error";

    /// <summary>
    /// Releases before 2026-12-02 bound a second queue to the accepted-request exchange for their status recorder (a
    /// second persistent write per request). The Api now writes the Received rows itself; a Processor deletes this queue
    /// and its error queue at start-up (<c>LegacyStatusQueue</c>), since every message in them is a copy of one on
    /// <see cref="Process"/>.
    /// </summary>
    public const string LegacyStatus = "externalaction-status";

    /// <summary>Wait queues for delayed retries: messages sit there for the tier's TTL, then dead-letter back to <see cref="Process"/>.</summary>
    public static string Wait(TimeSpan tier) => $"externalaction-wait-{(long)tier.TotalSeconds}s";

    /// <summary>Retry delay tiers (per-queue TTL avoids head-of-line blocking of per-message TTLs).</summary>
    public static IReadOnlyList<TimeSpan> WaitTiers { get; } =
    [
        TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10),
        TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(5),
        TimeSpan.FromMinutes(10),
    ];
}
