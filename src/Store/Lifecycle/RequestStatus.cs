namespace ExternalAction.Store.Lifecycle;

/// <summary>
/// The states of a request. The status column stores the member's name, so these names are the stored strings
/// (<see cref="RequestStatuses"/> holds them as constants); which moves between them are allowed, and who makes each,
/// is <see cref="RequestLifecycle.Transitions"/>.
/// </summary>
public enum RequestStatus
{
    Received,
    Processing,
    RetryScheduled,
    CallbackSent,
    CallbackUnconfirmed,
    /// <summary>Contracts without a callback (SFMC, AJO custom actions): delivered, and the outcome report the action asks for (if any) accepted.</summary>
    Completed,
    Failed,
    TimedOut,
}
