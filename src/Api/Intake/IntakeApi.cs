using ExternalAction.Api.Authentication;
using ExternalAction.Api.Errors;
using ExternalAction.Api.Platform;
using ExternalAction.Contracts.Messaging;
using ExternalAction.Contracts.Platform;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ExternalAction.Api.Intake;

/// <summary><c>POST /submitAsyncAction</c>: authenticate, validate, enqueue, acknowledge. Nothing slow happens before the 200.</summary>
public static class IntakeApi
{
    public static IServiceCollection AddIntake(this IServiceCollection services)
    {
        services.AddOptions<IntakeOptions>().BindConfiguration(IntakeOptions.Section)
            .Validate(o => o.MaxBodyBytes is >= 1024 and <= 16 * 1024 * 1024, $"{IntakeOptions.Section}:MaxBodyBytes must be between 1024 and 16777216.")
            .Validate(o => o.PublishTimeoutSeconds is > 0 and <= 60, $"{IntakeOptions.Section}:PublishTimeoutSeconds must be between 0 and 60.")
            .Validate(o => o.RetryAfterSeconds is >= 1 and <= 3600, $"{IntakeOptions.Section}:RetryAfterSeconds must be between 1 and 3600.")
            .Validate(o => o.BreakAfterFailures >= 2, $"{IntakeOptions.Section}:BreakAfterFailures must be at least 2.")
            .Validate(o => o.BreakSeconds is >= 0.5 and <= 60, $"{IntakeOptions.Section}:BreakSeconds must be between 0.5 and 60.")
            .Validate(o => o.CallbackHosts.All(h => !string.IsNullOrWhiteSpace(h)), $"{IntakeOptions.Section}:CallbackHosts must not hold empty entries.")
            .Validate(o => o.CallbackPorts.All(p => p is > 0 and <= 65535), $"{IntakeOptions.Section}:CallbackPorts must hold port numbers (1-65535).")
            .Validate(o => string.IsNullOrWhiteSpace(o.PublicBaseUrl) || (Uri.TryCreate(o.PublicBaseUrl, UriKind.Absolute, out var u) && u.Scheme is "https" or "http"),
                $"{IntakeOptions.Section}:PublicBaseUrl must be an absolute http(s) URL.")
            .PostConfigure(o =>
            {
                if (o.CallbackHosts.Count == 0)
                    o.CallbackHosts.AddRange(IntakeOptions.DefaultCallbackHosts);
                if (o.CallbackPorts.Count == 0)
                    o.CallbackPorts.AddRange(IntakeOptions.DefaultCallbackPorts);
            })
            .ValidateOnStart();
        services.AddSingleton<IntakePublisher>();
        services.AddSingleton<IntakeBreaker>();
        services.AddSingleton<ReceivedRowWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<ReceivedRowWriter>());
        services.AddHostedService<BrokerConnectionWatch>();
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }

    public static RouteGroupBuilder MapIntake(this RouteGroupBuilder platform)
    {
        platform.MapPost("/submitAsyncAction", Submit)
            .AddEndpointFilter<SubmissionFilter>()
            .RequireAuthorization(CallerAuthentication.PolicyName)
            .CountedAsIntake(ContractNames.B2B);
        return platform;
    }

    /// <summary>Runs after <see cref="SubmissionFilter"/>: the submission is valid for the action.</summary>
    public static async Task<Results<Ok<ExecutionResponse>, JsonHttpResult<ErrorResponse>>> Submit(
        ResolvedAction action, Submission submission, IntakePublisher publisher, HttpResponse response, CancellationToken ct)
    {
        var message = WorkItem(action.Definition, submission.Request, submission.HttpHeaders, submission.ReceivedAt);
        if (publisher.Refusal(await publisher.PublishAsync(message, ct), response) is { } refused)
            return refused;

        return TypedResults.Ok(Answer(message.RequestId));
    }

    /// <summary>The work item of a valid request (shared with the preview, so both give the same request id and deadline).</summary>
    public static ActionAccepted WorkItem(Actions.ActionDefinition action, ExecutionRequest request, Dictionary<string, string>? httpHeaders, DateTimeOffset receivedAt)
    {
        var minutes = request.ActionConfig?.Timeout ?? action.DefaultTimeoutMinutes;
        return new ActionAccepted
        {
            RequestId = RequestIdentity.RequestId(action.Name, request),
            ActionName = action.Name,
            ActionVersion = action.Version,
            ReceivedAt = receivedAt,
            Deadline = receivedAt.AddMinutes(minutes),
            Request = request,
            HttpHeaders = httpHeaders,
        };
    }

    public static ExecutionResponse Answer(string requestId) => new(requestId, "Request accepted for processing");
}
