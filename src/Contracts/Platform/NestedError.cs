namespace ExternalAction.Contracts.Platform;

/// <summary>The guides' nested error object inside <see cref="ErrorResponse"/>.</summary>
public sealed record NestedError
{
    public required string Code { get; init; }
    public required string Message { get; init; }
    public ErrorDetail? Details { get; init; }
    public int? RetryAfter { get; init; }
}
