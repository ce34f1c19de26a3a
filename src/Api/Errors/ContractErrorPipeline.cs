using System.Text.RegularExpressions;
using ExternalAction.Contracts.Platform;
using Microsoft.AspNetCore.Diagnostics;

namespace ExternalAction.Api.Errors;

/// <summary>
/// Every error the host answers, on every endpoint, carries the contract's error body: parameter-binding failures and
/// other <see cref="BadHttpRequestException"/>s (thrown in every environment, so none is answered with an empty body
/// or reaches the Developer Exception Page, which echoes request headers such as <c>X-Support-Key</c>), unexpected
/// exceptions (500, no details), and bodiless status codes (unknown routes, wrong methods).
/// </summary>
public static partial class ContractErrorPipeline
{
    public static IServiceCollection AddContractErrors(this IServiceCollection services)
    {
        // Binding failures throw instead of answering an empty 400, so the handler below writes their body.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        // Handled by an IExceptionHandler, so the middleware does not log these as unhandled (400s are the caller's).
        services.AddExceptionHandler<ContractExceptionHandler>();
        return services;
    }

    /// <summary>Goes first in the pipeline, so it wraps authentication, endpoints and everything else the app adds.</summary>
    public static WebApplication UseContractErrors(this WebApplication app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            // Never reached while ContractExceptionHandler handles everything; kept so the middleware has a fallback.
            ExceptionHandler = context => ContractErrors.WriteAsync(context, StatusCodes.Status500InternalServerError, ContractErrors.ForStatus(500)),
        });
        app.UseStatusCodePages(context => ContractErrors.WriteAsync(context.HttpContext, context.HttpContext.Response.StatusCode,
            ContractErrors.ForStatus(context.HttpContext.Response.StatusCode)));
        return app;
    }

    /// <summary>The body for an exception: a bad request names the parameter where it can, without echoing its value.</summary>
    public static (int Status, ErrorResponse Body) Describe(Exception exception)
    {
        if (exception is not BadHttpRequestException bad)
            return (StatusCodes.Status500InternalServerError, ContractErrors.ForStatus(StatusCodes.Status500InternalServerError));
        var status = bad.StatusCode is >= 400 and < 600 ? bad.StatusCode : StatusCodes.Status400BadRequest;
        if (ParameterProblem(bad.Message) is { } detail)
            return (status, ContractErrors.ForStatus(status, $"Invalid parameter {detail.Field}: {detail.Message}.", [detail]));
        return (status, ContractErrors.ForStatus(status, status == StatusCodes.Status400BadRequest ? "The request could not be read." : null));
    }

    private static ErrorDetail? ParameterProblem(string message)
    {
        if (FailedToBind().Match(message) is { Success: true } failed)
            return new ErrorDetail(failed.Groups["name"].Value, "has the wrong format");
        if (Required().Match(message) is { Success: true } required)
            return new ErrorDetail(required.Groups["name"].Value, "is required");
        return null;
    }

    // RequestDelegateFactory's messages: Failed to bind parameter "int? pageSize" from "abc". / Required parameter "string id" was not provided from ….
    [GeneratedRegex("""^Failed to bind parameter "(?:[^"]* )?(?<name>[A-Za-z0-9_]+)" from """)]
    private static partial Regex FailedToBind();

    [GeneratedRegex("""^Required parameter "(?:[^"]* )?(?<name>[A-Za-z0-9_]+)" was not provided""")]
    private static partial Regex Required();

    private sealed class ContractExceptionHandler(ILogger<ContractExceptionHandler> logger) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
        {
            var (status, body) = Describe(exception);
            if (status >= 500)
                logger.LogError(exception, "Unhandled exception answering {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path);
            else
                // Not the exception's message: it quotes the value that failed to bind.
                logger.LogDebug("Bad request to {Path}: {Status} {Field}", httpContext.Request.Path, status, body.Details?[0].Field);
            await ContractErrors.WriteAsync(httpContext, status, body);
            return true;
        }
    }
}
