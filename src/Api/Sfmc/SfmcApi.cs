using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ExternalAction.Actions;
using ExternalAction.Actions.Sfmc;
using ExternalAction.Api.Authentication;
using ExternalAction.Api.Decisioning;
using ExternalAction.Api.Intake;
using ExternalAction.Api.Platform;
using ExternalAction.Contracts.Json;
using ExternalAction.Contracts.Messaging;
using ExternalAction.ServiceDefaults.Secrets;
using ExternalAction.Store.Activations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ExternalAction.Api.Sfmc;

/// <summary>
/// An action served as a Salesforce Marketing Cloud Journey Builder custom activity, under <c>/actions/{name}/sfmc/</c>
/// (and <c>/sfmc/</c> at the root of a one-action deployment): <c>config.json</c>, the configuration page, <c>execute</c>
/// once per contact (a JWT; queued durably before the 200, which carries the out-arguments and a split's
/// <c>branchResult</c>), and <c>save</c>/<c>validate</c>/<c>publish</c>/<c>stop</c> at configuration time. docs/sfmc.md
/// walks through it.
/// </summary>
public static class SfmcApi
{
    public const string JwtMediaType = "application/jwt";

    public static IServiceCollection AddSfmc(this IServiceCollection services)
    {
        services.AddOptions<SfmcOptions>().BindConfiguration(SfmcOptions.Section)
            .PostConfigure(o =>
            {
                if (o.FrameAncestors.Count == 0)
                    o.FrameAncestors.AddRange(SfmcOptions.DefaultFrameAncestors);
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<SfmcOptions>, SfmcStartupChecks>();
        services.TryAddSingleton<SecretResolver>();
        services.AddSingleton<SfmcJwt>();
        services.AddSingleton<SfmcBranching>();
        services.AddSingleton<SfmcConfigurationCalls>();
        services.AddSingleton<SfmcValidation>();
        // The AJO custom-action face uses the same decider; register it once whoever comes first.
        if (!services.Any(d => d.ServiceType == typeof(Decider)))
            services.AddDecisioning();
        return services;
    }

    public static RouteGroupBuilder MapSfmc(this RouteGroupBuilder platform)
    {
        // Journey Builder authenticates with the JWT in the body (execute, and configuration calls when signed), not with
        // the action's caller scheme; actions without an sfmc section answer 404 here (SfmcOnly).
        var sfmc = platform.MapGroup("/sfmc").AddEndpointFilter(SfmcOnly).WithTags("SFMC");
        sfmc.MapGet("/config.json", Config);
        sfmc.MapGet("/", SfmcPage.Index);
        sfmc.MapGet("/index.html", SfmcPage.Index);
        sfmc.MapGet("/activity.js", SfmcPage.ActivityScript);
        sfmc.MapGet("/activity.css", SfmcPage.ActivityStyle);
        sfmc.MapGet("/postmonger.js", SfmcPage.PostmongerScript);
        sfmc.MapGet("/images/icon.svg", SfmcPage.Icon);
        sfmc.MapPost("/execute", Execute).CountedAsIntake(ContractNames.Sfmc).AddEndpointFilter(ThrottleFailedJwts);
        foreach (var kind in SfmcConfigurationCalls.All)
            sfmc.MapPost($"/{kind}", (ResolvedAction action, HttpRequest request, SfmcConfigurationCalls calls, CancellationToken ct) => calls.HandleAsync(kind, action, request, ct))
                .AddEndpointFilter(ThrottleFailedJwts);
        return sfmc;
    }

    public static Ok<JsonObject> Config(ResolvedAction action, HttpRequest request, IOptions<IntakeOptions> intake) =>
        TypedResults.Ok(SfmcConfigJson.Build(action.Definition, SfmcConfigJson.Endpoint(request, intake.Value, action.Definition, action.AtRoot)));

    /// <summary>
    /// One contact's execute: verify the JWT, check the in-arguments and ids, decide the branch (within the action's
    /// budget), queue the work item durably, then answer the declared out-arguments. Journey Builder ejects the contact
    /// on any non-200 and retries 5xx and timeouts, so bad input is a 4xx and only an outage is a 503.
    /// </summary>
    public static async Task<Results<Ok<JsonObject>, JsonHttpResult<SfmcError>>> Execute(
        ResolvedAction resolved, HttpRequest request, SfmcJwt jwt, SfmcBranching branching, IntakePublisher publisher,
        IOptions<SfmcOptions> options, TimeProvider clock, ILoggerFactory loggers, CancellationToken ct)
    {
        var action = resolved.Definition;
        var receivedAt = clock.GetUtcNow();
        var logger = loggers.CreateLogger(typeof(SfmcApi));
        var (token, bodyError) = await ReadTokenAsync(request, options.Value, ct);
        if (bodyError is not null)
            return bodyError;
        var verdict = await jwt.VerifyAsync(token!);
        if (verdict.Refusal is { } refusal)
        {
            logger.LogWarning("SFMC execute for action {Action} refused: {Reason}.", action.Name, refusal);
            return Error(StatusCodes.Status401Unauthorized, $"The execute call was not accepted: {refusal}.");
        }
        if (verdict.Malformation is { } malformed)
            return Error(StatusCodes.Status400BadRequest, $"The execute payload cannot be read: {malformed}.");

        var (call, problem) = SfmcPayloads.ReadExecute(verdict.Payload!, action);
        if (problem is not null)
            return TypedResults.Json(problem, ContractJson.Options, statusCode: StatusCodes.Status400BadRequest);

        var branch = action.Sfmc!.IsDecision ? await branching.DecideAsync(action, call!, ct) : null;
        var message = WorkItem(action, call!, branch, receivedAt);
        switch (await publisher.PublishAsync(message, ct))
        {
            case PublishResult.Unavailable:
                publisher.SetRetryAfter(request.HttpContext.Response);
                return Error(StatusCodes.Status503ServiceUnavailable, "The contact could not be queued; Journey Builder retries the call.");
            case PublishResult.Unencodable:
                return Error(StatusCodes.Status400BadRequest, "An in-argument holds an unpaired UTF-16 surrogate escape.");
        }
        return TypedResults.Ok(Answer(action, message.RequestId, branch));
    }

    /// <summary>The work item of one contact's execute (shared with the preview: the same request id and deadline).</summary>
    public static ActionAccepted WorkItem(ActionDefinition action, ExecuteCall call, SfmcBranch? branch, DateTimeOffset receivedAt) => new()
    {
        RequestId = RequestId(action.Name, call),
        ActionName = action.Name,
        ActionVersion = action.Version,
        Contract = ContractNames.Sfmc,
        Identity = new WorkIdentity
        {
            EntityType = "contact",
            ContactKey = call.KeyValue,
            JourneyId = call.JourneyId,
            JourneyInstanceId = call.DefinitionInstanceId,
            ActivityId = call.ActivityId,
        },
        Data = WorkData(call, branch),
        ReceivedAt = receivedAt,
        Deadline = receivedAt.AddMinutes(action.Sfmc!.Execute.DeliveryDeadlineMinutes),
    };

    /// <summary>The execute's answer: the declared out-arguments, and a split's <c>branchResult</c>.</summary>
    public static JsonObject Answer(ActionDefinition action, string requestId, SfmcBranch? branch)
    {
        var answer = new JsonObject();
        foreach (var o in action.Sfmc!.Answers)
        {
            answer[o.Name] = o.Value switch
            {
                SfmcOutValues.RequestId => requestId,
                SfmcOutValues.Status => "queued",
                _ => branch?.Branch,
            };
        }
        if (branch is not null)
            answer["branchResult"] = branch.Branch;
        return answer;
    }

    /// <summary>
    /// The request id of one contact's pass through one activity of one journey version: <c>activityId</c> +
    /// <c>definitionInstanceId</c> + <c>keyValue</c> (and the action), hashed. Journey Builder's retries of the execute
    /// carry the same three, so they get the same id and are delivered once. docs/sfmc.md says why these three and not
    /// the official example's two or seed 004's activityInstanceId + contact key.
    /// </summary>
    public static string RequestId(string actionName, ExecuteCall call)
    {
        var key = string.Join('\n', actionName, call.ActivityId, call.DefinitionInstanceId, call.KeyValue);
        return "sfmc-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)).AsSpan(0, 20));
    }

    /// <summary>What the Processor's SFMC adapter reads: the in-arguments by name, the ids, and the branch answered.</summary>
    private static JsonObject WorkData(ExecuteCall call, SfmcBranch? branch)
    {
        var inArguments = new JsonObject();
        foreach (var (name, value) in call.InArguments)
            inArguments[name] = value?.DeepClone();
        var data = new JsonObject
        {
            ["inArguments"] = inArguments,
            ["keyValue"] = call.KeyValue,
            ["activityId"] = call.ActivityId,
            ["definitionInstanceId"] = call.DefinitionInstanceId,
            ["journeyId"] = call.JourneyId,
            ["activityInstanceId"] = call.ActivityInstanceId,
        };
        if (branch is not null)
        {
            data["branchResult"] = branch.Branch;
            data["branchDecision"] = branch.Summary;
        }
        return data;
    }

    /// <summary>The execute body: a compact JWT (<c>application/jwt</c>), read raw, up to the size limit.</summary>
    private static async Task<(string? Token, JsonHttpResult<SfmcError>? Error)> ReadTokenAsync(HttpRequest request, SfmcOptions options, CancellationToken ct)
    {
        var text = await ReadBodyAsync(request, options.MaxBodyBytes, ct);
        if (text is null)
            return (null, Error(StatusCodes.Status413PayloadTooLarge, $"The body is larger than {options.MaxBodyBytes} bytes."));
        if (IsJson(request.ContentType) || text.TrimStart().StartsWith('{'))
            return (null, Error(StatusCodes.Status401Unauthorized,
                "The execute call was not accepted: the body is JSON, not a JWT. Journey Builder must sign it: set \"useJwt\": true under arguments.execute in config.json (this service's config.json does)."));
        return (text.Trim(), null);
    }

    /// <summary>The body as text, or null when it is larger than <paramref name="limit"/>.</summary>
    internal static async Task<string?> ReadBodyAsync(HttpRequest request, int limit, CancellationToken ct)
    {
        using var body = await PooledBody.ReadAsync(request.Body, request.ContentLength, limit, ct);
        return body is { } read ? Encoding.UTF8.GetString(read.Span) : null;
    }

    internal static bool IsJson(string? contentType) =>
        contentType is not null && contentType.Split(';')[0].Trim().EndsWith("json", StringComparison.OrdinalIgnoreCase);

    internal static JsonHttpResult<SfmcError> Error(int status, string message, string? argument = null) =>
        TypedResults.Json(new SfmcError(message, argument), ContractJson.Options, statusCode: status);

    /// <summary>
    /// The failed-authentication throttle for Journey Builder's calls, as for every other caller: an address that sent
    /// too many refused JWTs (bad signature, expired, wrong issuer; a JSON body where a JWT belongs) is answered 429 with
    /// <c>Retry-After</c> in Journey Builder's error shape until its window passes, whatever it sends meanwhile.
    /// </summary>
    private static async ValueTask<object?> ThrottleFailedJwts(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var throttle = http.RequestServices.GetRequiredService<FailedAuthenticationThrottle>();
        if (throttle.RetryAfter(http) is { } retryAfter)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
            http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Error(StatusCodes.Status429TooManyRequests, "Too many refused Journey Builder calls from this address; retry later.");
        }
        var result = await next(context);
        var inner = result is INestedHttpResult nested ? nested.Result : result;
        if (inner is IStatusCodeHttpResult { StatusCode: StatusCodes.Status401Unauthorized })
            throttle.Failed(http, "SFMC", "the JWT was refused");
        return result;
    }

    private static async ValueTask<object?> SfmcOnly(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        ResolvedAction.Of(context.HttpContext)?.Definition.Sfmc is null
            ? Error(StatusCodes.Status404NotFound, "This action is not served as a Journey Builder custom activity (it has no 'sfmc' section).")
            : await next(context);

    /// <summary>Start-up: a deployment with SFMC activities has a usable signing secret and, outside Development, an https public URL.</summary>
    private sealed class SfmcStartupChecks(ActionCatalog catalog, SecretResolver secrets, IHostEnvironment environment, IOptions<IntakeOptions> intake)
        : IValidateOptions<SfmcOptions>
    {
        public ValidateOptionsResult Validate(string? name, SfmcOptions options)
        {
            var activities = catalog.All.Where(a => a.Sfmc is not null).Select(a => a.Name).ToList();
            if (activities.Count == 0)
                return ValidateOptionsResult.Success;
            var problems = SfmcJwt.Problems(options, secrets).ToList();
            foreach (var action in catalog.All.Where(a => a.Sfmc?.Split is not null))
                problems.AddRange(DecisionSpecChecks.Problems(action.Sfmc!.Split!.Decision, "sfmc.split.decision", (_, _) => [])
                    .Select(p => $"action '{action.Name}' in '{catalog.File}': {p}"));
            if (!environment.IsDevelopment() && !(Uri.TryCreate(intake.Value.PublicBaseUrl, UriKind.Absolute, out var u) && u.Scheme == Uri.UriSchemeHttps))
                problems.Add($"{IntakeOptions.Section}:PublicBaseUrl must be the service's https URL: Journey Builder calls the URLs config.json gives (actions {string.Join(", ", activities)}).");
            if (options.MaxBodyBytes is < 1024 or > 16 * 1024 * 1024)
                problems.Add($"{SfmcOptions.Section}:MaxBodyBytes must be between 1024 and 16777216.");
            if (options.ClockSkewSeconds is < 0 or > 600)
                problems.Add($"{SfmcOptions.Section}:ClockSkewSeconds must be between 0 and 600.");
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }
}
