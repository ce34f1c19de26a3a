using ExternalAction.Store;

namespace ExternalAction.Api.Support;

/// <summary>A request as support sees it: the status row and its transitions. The row holds no token or secret.</summary>
public sealed record RequestView(RequestRecord Request, IReadOnlyList<TransitionRecord> Transitions);

public sealed record RequestListView(IReadOnlyList<RequestRecord> Items, string? NextCursor);

public sealed record CountsView(IReadOnlyList<StatusCount> Counts);

/// <summary>The journey versions using actions (<c>GET /support/activations?action=&amp;state=live</c>).</summary>
public sealed record ActivationsView(IReadOnlyList<ExternalAction.Store.Activations.JourneyActivation> Items);
