namespace ExternalAction.Contracts.Platform;

/// <summary>
/// The error body: a superset of the reference document's flat <c>Error</c> schema and the guides' nested
/// <c>{"error":{…}}</c> shape (contract §2.5), so both kinds of reader find what they look for.
/// <see cref="Code"/> is always from the reference enum; <see cref="Error"/> carries the guides' finer code.
/// </summary>
public sealed record ErrorResponse
{
    public string Status => "error";
    public required string Code { get; init; }
    public required string Message { get; init; }
    public IReadOnlyList<ErrorDetail>? Details { get; init; }
    public required DateTimeOffset Timestamp { get; init; }
    public string? RequestId { get; init; }
    public required NestedError Error { get; init; }
}
