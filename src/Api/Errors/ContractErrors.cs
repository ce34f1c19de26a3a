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
