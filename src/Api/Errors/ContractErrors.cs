using ExternalAction.Contracts.Json;
using ExternalAction.Contracts.Platform;

namespace ExternalAction.Api.Errors;

/// <summary>
/// Builds the contract's error body (<see cref="ErrorResponse"/>), the one shape every error of the platform-facing
/// endpoints uses. The flat <c>code</c> comes from the reference enum; the nested one may be finer.
/// </summary>
public static class ContractErrors
{
    public static ErrorResponse Create(string code, string message, IReadOnlyList<ErrorDetail>? details = null,
        string? nestedCode = null, int? retryAfterSeconds = null) => new()
    {
        Code = code,
        Message = message,
        Details = details is { Count: > 0 } ? details : null,
        Timestamp = DateTimeOffset.UtcNow,
        Error = new NestedError
        {
            Code = nestedCode ?? code,
            Message = message,
            Details = details is { Count: > 0 } ? details[0] : null,
            RetryAfter = retryAfterSeconds,
        },
    };

    /// <summary>The body for a status code that has no more specific error: codes of the reference enum, a plain message.</summary>
    public static ErrorResponse ForStatus(int statusCode, string? message = null, IReadOnlyList<ErrorDetail>? details = null) => statusCode switch
    {
        StatusCodes.Status401Unauthorized => Create(ErrorCodes.Unauthorized, message ?? "Missing or invalid credentials.", details),
        StatusCodes.Status403Forbidden => Create(ErrorCodes.Forbidden, message ?? "Forbidden.", details),
        StatusCodes.Status404NotFound => Create(ErrorCodes.ResourceNotFound, message ?? "No such resource.", details, ErrorCodes.NotFound),
        StatusCodes.Status408RequestTimeout => Create(ErrorCodes.Timeout, message ?? "The request took too long to arrive.", details),
        StatusCodes.Status413PayloadTooLarge => Create(ErrorCodes.InvalidRequest, message ?? "The request body is too large.", details, ErrorCodes.PayloadTooLarge),
        StatusCodes.Status415UnsupportedMediaType => Create(ErrorCodes.InvalidRequest, message ?? "Unsupported media type.", details, ErrorCodes.UnsupportedMediaType),
        StatusCodes.Status429TooManyRequests => Create(ErrorCodes.RateLimited, message ?? "Too many requests; retry later.", details, ErrorCodes.RateLimitExceeded),
        StatusCodes.Status503ServiceUnavailable => Create(ErrorCodes.InternalError, message ?? "The service is unavailable; retry later.", details, ErrorCodes.ServiceUnavailable),
        >= 500 => Create(ErrorCodes.InternalError, message ?? "Internal error.", details),
        _ => Create(ErrorCodes.InvalidRequest, message ?? "The request is invalid.", details),
    };

    /// <summary>The typed result handlers return: the body with its status code.</summary>
    public static Microsoft.AspNetCore.Http.HttpResults.JsonHttpResult<ErrorResponse> Result(int statusCode, ErrorResponse body) =>
        TypedResults.Json(body, ContractJson.Options, statusCode: statusCode);

    /// <summary>Writes the body directly, for middleware and authentication handlers that have no endpoint result.</summary>
    public static Task WriteAsync(HttpContext context, int statusCode, ErrorResponse body)
    {
        context.Response.StatusCode = statusCode;
        return context.Response.WriteAsJsonAsync(body, ContractJson.Options, context.RequestAborted);
    }
}
