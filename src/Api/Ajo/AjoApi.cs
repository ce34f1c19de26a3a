using System.Text.Json.Nodes;
using ExternalAction.Api.Authentication;
using ExternalAction.Api.Decisioning;
using ExternalAction.Api.Errors;
using ExternalAction.Api.Intake;
using ExternalAction.Api.Platform;
using ExternalAction.Contracts.Messaging;
using ExternalAction.Contracts.Platform;
using Microsoft.AspNetCore.HostFiltering;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace ExternalAction.Api.Ajo;

/// <summary>
/// The AJO custom-action face of each action with an <c>ajo</c> section, under <c>/actions/{action}/ajo/</c> (and
/// <c>/ajo/</c> in a one-action deployment): <c>POST invoke</c> answers the declared response fields once the call is
/// durably queued; <c>GET custom-action.json</c> is what the practitioner needs to create the custom action in AJO.
/// </summary>
public static class AjoApi
{
    public static IServiceCollection AddAjoFace(this IServiceCollection services)
    {
        services.AddDecisioning();
        services.AddHybridCache();
        services.AddOptions<AjoOptions>().BindConfiguration(AjoOptions.Section)
            .Validate(o => o.AnswerCacheSeconds is >= 31 and <= 3600, $"{AjoOptions.Section}:AnswerCacheSeconds must be between 31 (past AJO's 30 s retry window) and 3600.")
            .ValidateOnStart();
        services.AddSingleton<AjoDeclarations>();
        services.AddSingleton<AjoAnswers>();
        return services;
    }

    public static RouteGroupBuilder MapAjo(this RouteGroupBuilder platform, IntakeOptions intake)
    {
        // Read now, so a bad 'ajo' section stops start-up naming the file, the action and the key.
        platform.ServiceProvider().GetRequiredService<AjoDeclarations>();
        var ajo = platform.MapGroup("/ajo").WithTags("AJO custom actions");
        ajo.MapPost("/invoke", Invoke)
            .AddEndpointFilter<AjoInvocationFilter>()
            .RequireAuthorization(CallerAuthentication.PolicyName)
            .CountedAsIntake(ContractNames.AjoCustomAction);
        var document = ajo.MapGet("/custom-action.json", CustomAction);
        // Public like the B2B service definition unless configured otherwise: it holds no secret.
        if (intake.ServiceDefinitionRequiresAuth)
            document.RequireAuthorization(CallerAuthentication.PolicyName);
        return platform;
    }

    private static IServiceProvider ServiceProvider(this RouteGroupBuilder group) => ((IEndpointRouteBuilder)group).ServiceProvider;

    /// <summary>Runs after <see cref="AjoInvocationFilter"/>: the call is valid for the action.</summary>
    public static async Task<Results<Ok<JsonObject>, JsonHttpResult<ErrorResponse>>> Invoke(
        AjoInvocation call, AjoAnswers answers, IntakePublisher publisher, ILoggerFactory logs, HttpResponse response, CancellationToken ct)
    {
        var action = call.Action;
        var answer = await answers.AnswerAsync(action, call.RequestId, call.Payload, call.ReceivedAt, ct);
        var message = WorkItem(call, answer);
        if (publisher.Refusal(await publisher.PublishAsync(message, ct), response) is { } refused)
            return refused;

        if (answer is not null)
            logs.CreateLogger(typeof(AjoApi)).LogDebug("AJO request {RequestId} answered by {Decision}", call.RequestId, answer.Decision);
        return TypedResults.Ok(Answer(call.RequestId, answer));
    }

    /// <summary>The work item of a valid call and its answer (shared with the preview: the same request id and data).</summary>
    public static ActionAccepted WorkItem(AjoInvocation call, AjoAnswer? answer)
    {
        var data = new JsonObject { ["payload"] = call.Payload.DeepClone() };
        if (answer is not null)
        {
            data["response"] = answer.FieldsJson;
            data["decision"] = answer.DecisionJson;
        }
        return new ActionAccepted
        {
            RequestId = call.RequestId,
            ActionName = call.Action.Definition.Name,
            ActionVersion = call.Action.Definition.Version,
            Contract = ContractNames.AjoCustomAction,
            Identity = call.Identity,
            ReceivedAt = call.ReceivedAt,
            Deadline = call.ReceivedAt.AddMinutes(call.Action.Face.DeadlineMinutes),
            Data = data,
        };
    }

    /// <summary>The answer AJO reads: <c>requestId</c> and the decided response fields, or <c>status: accepted</c> without a response payload.</summary>
    public static JsonObject Answer(string requestId, AjoAnswer? answer)
    {
        var body = new JsonObject { ["requestId"] = requestId };
        if (answer?.FieldsJson is { } fields)
        {
            foreach (var (name, value) in fields)
                body[name] = value?.DeepClone();
        }
        else if (answer is null)
            body["status"] = "accepted";
        return body;
    }

    // Served as application/json to an admin's tools, never into HTML: placeholders such as <client secret> stay readable.
    private static readonly System.Text.Json.JsonSerializerOptions DocumentJson = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static Results<ContentHttpResult, JsonHttpResult<ErrorResponse>> CustomAction(
        HttpContext http, ResolvedAction action, AjoDeclarations declarations, CallerAuthResolver auth, IOptions<IntakeOptions> intake, IOptions<HostFilteringOptions> hosts)
    {
        if (declarations.Find(action.Definition) is not { } ajo)
            return AjoInvocationFilter.NoAjoFace();
        var root = OpenApi.OpenApiApi.Root(http, intake.Value, hosts.Value);
        var document = CustomActionDocument.Build(ajo, auth.EffectiveOptions(action.Definition), root, action.AtRoot);
        return TypedResults.Text(document.ToJsonString(DocumentJson), "application/json", System.Text.Encoding.UTF8);
    }
}
