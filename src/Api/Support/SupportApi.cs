using ExternalAction.Api.Authentication;
using ExternalAction.Api.Errors;
using ExternalAction.Contracts.Messaging;
using ExternalAction.Contracts.Platform;
using ExternalAction.Store;
using ExternalAction.Store.Activations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace ExternalAction.Api.Support;

/// <summary>Support staff's view of the status table: one request with its history, filtered lists, counts by status.</summary>
public static class SupportApi
{
    public static IServiceCollection AddSupport(this IServiceCollection services)
    {
        services.AddOptions<SupportOptions>().BindConfiguration(SupportOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SupportOptions>, SupportKeysValidator>();
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
        var keys = http.RequestServices.GetRequiredService<IOptions<SupportOptions>>().Value.ApiKeys;
        var throttle = http.RequestServices.GetRequiredService<FailedAuthenticationThrottle>();
        if (throttle.RetryAfter(http) is { } retryAfter)
            return FailedAuthenticationThrottle.TooMany(http, retryAfter);
        var presented = http.Request.Headers[SupportOptions.HeaderName].ToString();
        if (presented.Length == 0 || keys.Count == 0 || !SecretComparer.MatchesAny(presented, keys))
        {
            if (presented.Length > 0)
                throttle.Failed(http, "Support", $"the {SupportOptions.HeaderName} does not match");
            return ContractErrors.Result(StatusCodes.Status401Unauthorized, ContractErrors.Create(ErrorCodes.Unauthorized, $"A valid {SupportOptions.HeaderName} is required."));
        }
        return await next(context);
    }

    /// <summary>Every configured support key meets <see cref="SecretRules"/>, named by its key.</summary>
    private sealed class SupportKeysValidator : IValidateOptions<SupportOptions>
    {
        public ValidateOptionsResult Validate(string? name, SupportOptions options)
        {
            var problems = options.ApiKeys
                .Select((key, i) => SecretRules.Problem(key) is { } problem ? $"{SupportOptions.Section}:ApiKeys:{i} {problem}." : null)
                .OfType<string>().ToList();
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
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
