using ExternalAction.Api.Authentication;
using ExternalAction.Api.Errors;
using ExternalAction.Api.Support.Replay;
using ExternalAction.Contracts.Messaging;
using ExternalAction.Contracts.Platform;
using ExternalAction.Store;
using ExternalAction.Store.Activations;
using Microsoft.AspNetCore.Http.HttpResults;
using ExternalAction.ServiceDefaults.Secrets;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ExternalAction.Api.Support;

/// <summary>Support staff's view of the status table: one request with its history, filtered lists, counts by status.</summary>
public static class SupportApi
{
    public static IServiceCollection AddSupport(this IServiceCollection services)
    {
        services.AddOptions<SupportOptions>().BindConfiguration(SupportOptions.Section)
            .PostConfigure<IHostEnvironment>(DevelopmentSupportKey.AddIfNothingConfigured).ValidateOnStart();
        services.AddSingleton<DevelopmentSupportKey>();
        services.AddHostedService<DevelopmentSupportKey.Warning>();
        services.TryAddSingleton<SecretResolver>();
        services.AddSingleton<IValidateOptions<SupportOptions>, SupportUsers.Validator>();
        services.AddSingleton<SupportUsers>();
        services.AddSingleton<SupportBearerTokens>();
        services.AddSingleton<DeadLetters>();
        services.AddSingleton<Replays>();
        return services;
    }

    public static RouteGroupBuilder MapSupport(this IEndpointRouteBuilder endpoints)
    {
        // Support has its own key (X-Support-Key): platform credentials must not open the status table, nor the reverse.
        // With no key configured every call is 401, so a deployment that forgot the keys does not expose the table.
        var group = endpoints.MapGroup("/support").AddEndpointFilter(RequireSupportKey).WithTags("Support");
        group.MapGet("/requests/{requestId}", GetRequest);
        group.MapGet("/requests", ListRequests);
        group.MapGet("/counts", Counts);
        // Replays change state: operators only (a viewer's key answers 403).
        group.MapPost("/requests/{requestId}/replay", ReplayOne);
        group.MapGet("/replays", ReplayPreview);
        group.MapPost("/replays", ReplayAll);
        group.MapSuppressions();
        group.MapGet("/activations", Activations);
        return group;
    }

    public static async Task<Results<Ok<RequestView>, JsonHttpResult<ErrorResponse>>> GetRequest(string requestId, StatusQueries store, CancellationToken ct)
    {
        var record = await store.GetAsync(requestId, ct);
        if (record is null)
            return ContractErrors.Result(StatusCodes.Status404NotFound, ContractErrors.Create(ErrorCodes.ResourceNotFound, "No request with that id.", nestedCode: ErrorCodes.NotFound));
        return TypedResults.Ok(new RequestView(record, await store.GetTransitionsAsync(requestId, ct)));
    }

    public static async Task<Results<Ok<RequestListView>, JsonHttpResult<ErrorResponse>>> ListRequests(
        StatusQueries store, CancellationToken ct, string? status = null, string? action = null, string? entityId = null,
        string? journeyId = null, string? from = null, string? to = null, int? pageSize = null, string? cursor = null,
        string? contract = null, string? journeyInstanceId = null)
    {
        var problems = new List<ErrorDetail>();
        if (status is not null && !RequestStatuses.All.Contains(status))
            problems.Add(new("status", $"must be one of {string.Join(", ", RequestStatuses.All)}"));
        if (contract is not null && !ContractNames.All.Contains(contract))
            problems.Add(new("contract", $"must be one of {string.Join(", ", ContractNames.All)}"));
        var fromTime = Time(from, "from", problems);
        var toTime = Time(to, "to", problems);
        if (pageSize is < 1 or > 500)
            problems.Add(new("pageSize", "must be between 1 and 500"));
        if (problems.Count > 0)
            return Invalid(problems);
        try
        {
            var page = await store.QueryAsync(new RequestQuery
            {
                Status = status, Action = action, Contract = contract, EntityId = entityId, JourneyId = journeyId,
                JourneyInstanceId = journeyInstanceId, From = fromTime, To = toTime, PageSize = pageSize ?? 50, Cursor = cursor,
            }, ct);
            return TypedResults.Ok(new RequestListView(page.Items, page.NextCursor));
        }
        catch (ArgumentException)
        {
            return Invalid([new ErrorDetail("cursor", "is not a cursor this service issued")]);
        }
    }

    public static async Task<Results<Ok<CountsView>, JsonHttpResult<ErrorResponse>>> Counts(
        StatusQueries store, CancellationToken ct, string? action = null, string? from = null, string? to = null)
    {
        var problems = new List<ErrorDetail>();
        var fromTime = Time(from, "from", problems);
        var toTime = Time(to, "to", problems);
        if (problems.Count > 0)
            return Invalid(problems);
        return TypedResults.Ok(new CountsView(await store.CountByStatusAsync(action, fromTime, toTime, ct)));
    }

    public static async Task<Results<Ok<ReplayView>, JsonHttpResult<ErrorResponse>>> ReplayOne(
        string requestId, ReplayBody? body, HttpContext http, Replays replays, CancellationToken ct)
    {
        if (Operator(http, body, out var order) is { } refused)
            return refused;
        var outcome = await replays.ReplayAsync(requestId, order!, ct);
        if (outcome.Unknown)
            return ContractErrors.Result(StatusCodes.Status404NotFound, ContractErrors.Create(ErrorCodes.ResourceNotFound, "No request with that id.", nestedCode: ErrorCodes.NotFound));
        if (!outcome.Replayed)
            return ContractErrors.Result(StatusCodes.Status409Conflict, ContractErrors.Create(ErrorCodes.InvalidRequest, $"Not replayed: {outcome.Refusal}."));
        return TypedResults.Ok(new ReplayView(outcome.RequestId, true, outcome.Deadline, outcome.Redelivered, null));
    }

    /// <summary>What a "replay all" with these filters would take: the count to confirm, and the first ids.</summary>
    public static async Task<Results<Ok<ReplayPreviewView>, JsonHttpResult<ErrorResponse>>> ReplayPreview(
        Replays replays, CancellationToken ct, string? status = null, string? action = null, string? entityId = null,
        string? journeyId = null, string? from = null, string? to = null, string? contract = null, string? journeyInstanceId = null)
    {
        if (Filter(status, action, entityId, journeyId, from, to, contract, journeyInstanceId, out var filter) is { } invalid)
            return invalid;
        var candidates = await replays.CandidatesAsync(filter, ct);
        return TypedResults.Ok(new ReplayPreviewView(candidates.Count, candidates.Take(50).Select(c => c.RequestId).ToList()));
    }

    /// <summary>Replays every Failed/TimedOut request matching the filters, once the body confirms the count the preview gave.</summary>
    public static async Task<Results<Ok<ReplayAllView>, JsonHttpResult<ErrorResponse>>> ReplayAll(
        ReplayBody? body, HttpContext http, Replays replays, CancellationToken ct, string? status = null, string? action = null,
        string? entityId = null, string? journeyId = null, string? from = null, string? to = null, string? contract = null, string? journeyInstanceId = null)
    {
        if (Operator(http, body, out var order) is { } refused)
            return refused;
        if (Filter(status, action, entityId, journeyId, from, to, contract, journeyInstanceId, out var filter) is { } invalid)
            return invalid;
        if (body!.ExpectedCount is not { } expected)
            return Invalid([new ErrorDetail("expectedCount", "is required: the count GET /support/replays answered for these filters, as a confirmation")]);
        var count = (await replays.CandidatesAsync(filter, ct)).Count;
        if (count != expected)
            return ContractErrors.Result(StatusCodes.Status409Conflict, ContractErrors.Create(ErrorCodes.InvalidRequest,
                $"Not replayed: these filters now match {count} replayable requests, not {expected}; confirm the new count."));
        var outcomes = await replays.ReplayAllAsync(filter, order!, ct);
        return TypedResults.Ok(new ReplayAllView(outcomes.Count(o => o.Replayed), outcomes.Count(o => !o.Replayed),
            outcomes.Select(o => new ReplayView(o.RequestId, o.Replayed, o.Deadline, o.Redelivered, o.Refusal)).ToList()));
    }

    /// <summary>The operator behind this call and their order, or the answer refusing it (403 for a viewer, 400 for no reason).</summary>
    private static JsonHttpResult<ErrorResponse>? Operator(HttpContext http, ReplayBody? body, out ReplayOrder? order)
    {
        order = null;
        var principal = (SupportPrincipal)http.Items[typeof(SupportPrincipal)]!;
        if (!principal.IsOperator)
            return ContractErrors.Result(StatusCodes.Status403Forbidden, ContractErrors.Create(ErrorCodes.Forbidden, "Replaying needs the operator role."));
        if (ReplayBody.ReasonProblem(body?.Reason) is { } problem)
            return Invalid([new ErrorDetail("reason", problem)]);
        order = new ReplayOrder(principal, body!.Reason!.Trim(), body.Redeliver);
        return null;
    }

    private static JsonHttpResult<ErrorResponse>? Filter(string? status, string? action, string? entityId, string? journeyId, string? from, string? to,
        string? contract, string? journeyInstanceId, out RequestQuery filter)
    {
        var problems = new List<ErrorDetail>();
        if (status is not null && !Store.Lifecycle.RequestLifecycle.Replayable.Select(s => s.ToString()).Contains(status))
            problems.Add(new("status", $"must be one of {string.Join(", ", Store.Lifecycle.RequestLifecycle.Replayable)} (the states a replay takes)"));
        if (contract is not null && !ContractNames.All.Contains(contract))
            problems.Add(new("contract", $"must be one of {string.Join(", ", ContractNames.All)}"));
        var fromTime = Time(from, "from", problems);
        var toTime = Time(to, "to", problems);
        filter = new RequestQuery
        {
            Status = status, Action = action, Contract = contract, EntityId = entityId, JourneyId = journeyId,
            JourneyInstanceId = journeyInstanceId, From = fromTime, To = toTime,
        };
        return problems.Count > 0 ? Invalid(problems) : null;
    }

    /// <summary>Where is an action live? The journey versions that published (or stopped) it, from the platforms' publish and stop calls.</summary>
    public static async Task<Results<Ok<ActivationsView>, JsonHttpResult<ErrorResponse>>> Activations(
        JourneyActivations activations, CancellationToken ct, string? action = null, string? state = null)
    {
        if (state is not (null or JourneyActivations.Live or JourneyActivations.Stopped))
            return Invalid([new ErrorDetail("state", $"must be {JourneyActivations.Live} or {JourneyActivations.Stopped}")]);
        return TypedResults.Ok(new ActivationsView(await activations.ListAsync(action, state, ct)));
    }

    private static async ValueTask<object?> RequireSupportKey(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var users = http.RequestServices.GetRequiredService<SupportUsers>();
        var throttle = http.RequestServices.GetRequiredService<FailedAuthenticationThrottle>();
        if (throttle.RetryAfter(http) is { } retryAfter)
            return FailedAuthenticationThrottle.TooMany(http, retryAfter);
        var presented = http.Request.Headers[SupportOptions.HeaderName].ToString();
        var bearer = http.RequestServices.GetRequiredService<SupportBearerTokens>();
        var authorization = http.Request.Headers.Authorization.ToString();
        var token = presented.Length == 0 && bearer.Accepted && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization["Bearer ".Length..].Trim() : null;
        var principal = token is null ? users.Find(presented) : await bearer.FindAsync(token, http.RequestAborted);
        if (principal is null)
        {
            if (presented.Length > 0 || token is not null)
                throttle.Failed(http, "Support", token is null ? $"the {SupportOptions.HeaderName} does not match" : "the bearer token is not valid or maps to no support role");
            return ContractErrors.Result(StatusCodes.Status401Unauthorized, ContractErrors.Create(ErrorCodes.Unauthorized,
                bearer.Accepted ? $"A valid {SupportOptions.HeaderName}, or a bearer token from the support sign-in provider, is required." : $"A valid {SupportOptions.HeaderName} is required."));
        }
        http.Items[typeof(SupportPrincipal)] = principal;
        return await next(context);
    }

    private static DateTimeOffset? Time(string? value, string name, List<ErrorDetail> problems)
    {
        if (value is null)
            return null;
        if (DateTimeOffset.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var time))
            return time;
        problems.Add(new(name, "must be an ISO 8601 date-time"));
        return null;
    }

    private static JsonHttpResult<ErrorResponse> Invalid(IReadOnlyList<ErrorDetail> problems) =>
        ContractErrors.Result(StatusCodes.Status400BadRequest, ContractErrors.Create(ErrorCodes.InvalidRequest, $"Invalid parameter {problems[0].Field}: {problems[0].Message}.", problems));
}
