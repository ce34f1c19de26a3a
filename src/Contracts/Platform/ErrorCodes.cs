namespace ExternalAction.Contracts.Platform;

/// <summary>Error codes. The first group is the reference document's enum (used in the flat <c>code</c>).</summary>
public static class ErrorCodes
{
    public const string InvalidRequest = "INVALID_REQUEST";
    public const string ResourceNotFound = "RESOURCE_NOT_FOUND";
    public const string ValidationError = "VALIDATION_ERROR";
    public const string InternalError = "INTERNAL_ERROR";
    public const string Unauthorized = "UNAUTHORIZED";
    public const string Forbidden = "FORBIDDEN";
    public const string Timeout = "TIMEOUT";
    public const string RateLimited = "RATE_LIMITED";

    // The guides' finer codes, used in the nested error only.
    public const string ServiceUnavailable = "SERVICE_UNAVAILABLE";
    public const string PayloadTooLarge = "PAYLOAD_TOO_LARGE";
    public const string UnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE";
    public const string RateLimitExceeded = "RATE_LIMIT_EXCEEDED";
    public const string NotFound = "NOT_FOUND";
}
