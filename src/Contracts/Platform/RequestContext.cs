using System.Text.Json.Nodes;

namespace ExternalAction.Contracts.Platform;

/// <summary><c>context</c> of an execution request: subscription, journey and the admin's global attribute values.</summary>
public sealed record RequestContext
{
    public SubscriptionContext? Subscription { get; init; }
    public JourneyContext? Journey { get; init; }
    public JsonObject? Admin { get; init; }
}
