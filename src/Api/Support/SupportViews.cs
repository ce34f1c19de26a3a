using ExternalAction.Store;

namespace ExternalAction.Api.Support;

/// <summary>A request as support sees it: the status row and its transitions. The row holds no token or secret.</summary>
public sealed record RequestView(RequestRecord Request, IReadOnlyList<TransitionRecord> Transitions);

public sealed record RequestListView(IReadOnlyList<RequestRecord> Items, string? NextCursor);

public sealed record CountsView(IReadOnlyList<StatusCount> Counts);

/// <summary>An operator's replay order: why (recorded with the operator's name), whether to deliver to the channel again, and for "replay all" the confirmed count.</summary>
public sealed record ReplayBody(string? Reason, bool Redeliver = false, int? ExpectedCount = null)
{
    public const int MaxReasonLength = 500;

    public static string? ReasonProblem(string? reason) =>
        string.IsNullOrWhiteSpace(reason) ? "is required (it is recorded with the replay)"
        : reason.Length > MaxReasonLength ? $"must be at most {MaxReasonLength} characters"
        : reason.Any(char.IsControl) ? "must not contain control characters"
        : null;
}

public sealed record ReplayView(string RequestId, bool Replayed, DateTimeOffset? Deadline, bool Redelivered, string? Refusal);

public sealed record ReplayPreviewView(int Count, IReadOnlyList<string> FirstRequestIds);

public sealed record ReplayAllView(int Replayed, int Refused, IReadOnlyList<ReplayView> Requests);

/// <summary>The journey versions using actions (<c>GET /support/activations?action=&amp;state=live</c>).</summary>
public sealed record ActivationsView(IReadOnlyList<ExternalAction.Store.Activations.JourneyActivation> Items);
