using ExternalAction.Actions;
using ExternalAction.Api.Errors;
using ExternalAction.Api.Platform;
using ExternalAction.Contracts.Platform;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace ExternalAction.Api.Intake;

/// <summary>
/// Validation at the edge, once: the <see cref="Submission"/> the handler is bound to is refused when it could not be
/// read (415, 413, 400 naming the field) or breaks the contract's rules or the action's (400), before the handler runs.
/// </summary>
public sealed class SubmissionFilter(IOptions<IntakeOptions> options) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var submission = invocation.Arguments.OfType<Submission>().Single();
        if (submission.Refusal is { } refusal)
            return refusal;

        var action = invocation.Arguments.OfType<ResolvedAction>().Single();
        return Check(submission.Request, submission.HttpHeaders, action.Definition, options.Value) ?? await next(invocation);
    }

    /// <summary>The contract's and the action's rules over a request that could be read: the 400, or null when it is valid.</summary>
    public static JsonHttpResult<ErrorResponse>? Check(ExecutionRequest request, Dictionary<string, string>? httpHeaders, ActionDefinition action, IntakeOptions options)
    {
        var errors = ExecutionRequestValidator.Validate(request, action, options);
        // Header parameters reach header templates like customHeaders do.
        if (errors.Count == 0 && httpHeaders is { } headers)
            ExecutionRequestValidator.ValidateHeaders(headers, "headers", errors);
        return errors.Count > 0 ? Invalid(errors) : null;
    }

    /// <summary>The contract's 400: the first problem in the message, every problem in the details.</summary>
    public static JsonHttpResult<ErrorResponse> Invalid(IReadOnlyList<ErrorDetail> errors)
    {
        var first = errors[0];
        var message = errors.Count == 1
            ? $"Invalid field {first.Field}: {first.Message}."
            : $"Invalid field {first.Field}: {first.Message} (and {errors.Count - 1} more problem{(errors.Count > 2 ? "s" : "")}).";
        return ContractErrors.Result(StatusCodes.Status400BadRequest, ContractErrors.Create(ErrorCodes.InvalidRequest, message, errors));
    }
}
