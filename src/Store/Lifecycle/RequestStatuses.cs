using ExternalAction.Store.Lifecycle;

namespace ExternalAction.Store;

/// <summary>
/// The stored names of <see cref="RequestStatus"/>, as string constants for the records and the support API (which
/// carry the status as text). Received → Processing → (RetryScheduled → Processing)* → one final state; the moves and
/// who makes each are <see cref="RequestLifecycle.Transitions"/>.
/// </summary>
public static class RequestStatuses
{
    public const string Received = nameof(RequestStatus.Received);
    public const string Processing = nameof(RequestStatus.Processing);
    public const string RetryScheduled = nameof(RequestStatus.RetryScheduled);
    public const string CallbackSent = nameof(RequestStatus.CallbackSent);
    public const string CallbackUnconfirmed = nameof(RequestStatus.CallbackUnconfirmed);
    public const string Completed = nameof(RequestStatus.Completed);
    public const string Deferred = nameof(RequestStatus.Deferred);
    public const string Suppressed = nameof(RequestStatus.Suppressed);
    public const string Capped = nameof(RequestStatus.Capped);
    public const string Failed = nameof(RequestStatus.Failed);
    public const string TimedOut = nameof(RequestStatus.TimedOut);

    private static readonly Dictionary<string, RequestStatus> ByName = Enum.GetValues<RequestStatus>().ToDictionary(s => s.ToString(), StringComparer.Ordinal);

    public static IReadOnlyList<string> All { get; } = Enum.GetNames<RequestStatus>();

    /// <summary>The states a request never leaves (<see cref="RequestLifecycle.Final"/>).</summary>
    public static IReadOnlyList<string> Final { get; } = [.. RequestLifecycle.Final.Select(s => s.ToString())];

    public static bool IsFinal(string status) => TryParse(status, out var parsed) && RequestLifecycle.IsFinal(parsed);

    /// <summary>The status a stored name stands for; exact names only (no numbers, no other case).</summary>
    public static bool TryParse(string status, out RequestStatus parsed) => ByName.TryGetValue(status, out parsed);
}
