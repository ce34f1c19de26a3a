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
    /// <summary>Outside the action's send window: waits for it to open (delivery rules).</summary>
    Deferred,
    CallbackSent,
    CallbackUnconfirmed,
    /// <summary>Contracts without a callback (SFMC, AJO custom actions): delivered, and the outcome report the action asks for (if any) accepted.</summary>
    Completed,
    /// <summary>Not delivered: a suppression rule or the suppression list matched (or no route did); the platform was told where its contract allows.</summary>
    Suppressed,
    /// <summary>Not delivered: a frequency cap of the action was full; the platform was told where its contract allows.</summary>
    Capped,
    Failed,
    TimedOut,
}
