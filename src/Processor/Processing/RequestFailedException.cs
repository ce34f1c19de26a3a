namespace ExternalAction.Processor.Processing;

/// <summary>
/// The request ended without reaching the platform (deadline passed, callback refused for good). Thrown after the
/// status row is final so the message lands in the <c>_error</c> queue with the reason in its fault headers, where an
/// operator can inspect or replay it. Never retried by MassTransit.
/// </summary>
public sealed class RequestFailedException(string requestId, string status, string reason)
    : Exception($"Request {requestId} ended {status}: {reason}")
{
    public string RequestId { get; } = requestId;
    public string Status { get; } = status;
}
