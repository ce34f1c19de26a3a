namespace ExternalAction.Contracts.Platform;

/// <summary>The body of <c>GET /status</c>.</summary>
public sealed record StatusResponse(DateTimeOffset Timestamp)
{
    public string Status => "healthy";
}
