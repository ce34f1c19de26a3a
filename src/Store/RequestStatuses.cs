namespace ExternalAction.Store;

/// <summary>
/// The states of a request. Received → Processing → (RetryScheduled → Processing)* → one final state:
/// CallbackSent (the platform took the callback; <c>outcome</c> says whether it reported success or a business
/// failure), CallbackUnconfirmed (an attempt's fate was unknown and the platform then refused the used token),
/// Failed (the callback was refused for good) or TimedOut (the deadline passed first).
/// </summary>
public static class RequestStatuses
{
    public const string Received = "Received";
    public const string Processing = "Processing";
    public const string RetryScheduled = "RetryScheduled";
    public const string CallbackSent = "CallbackSent";
    public const string CallbackUnconfirmed = "CallbackUnconfirmed";
    public const string Failed = "Failed";
    public const string TimedOut = "TimedOut";

    public static IReadOnlyList<string> All { get; } =
        [Received, Processing, RetryScheduled, CallbackSent, CallbackUnconfirmed, Failed, TimedOut];

    /// <summary>The states a request never leaves; the retention purge (Retention/) touches rows in these only.</summary>
    public static IReadOnlyList<string> Final { get; } = [CallbackSent, CallbackUnconfirmed, Failed, TimedOut];

    public static bool IsFinal(string status) => status is CallbackSent or CallbackUnconfirmed or Failed or TimedOut;
}
