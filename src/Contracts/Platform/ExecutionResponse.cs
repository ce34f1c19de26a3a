namespace ExternalAction.Contracts.Platform;

/// <summary>The acknowledgement of <c>POST /submitAsyncAction</c>.</summary>
public sealed record ExecutionResponse(string RequestId, string Message)
{
    public string Status => "accepted";
    public int? EstimatedProcessingTime { get; init; }
}
