using System.Text.Json;
using ExternalAction.Api.Authentication;
using ExternalAction.Api.Errors;
using ExternalAction.Api.Intake;
using ExternalAction.Api.Platform;
using ExternalAction.Api.Support;
using ExternalAction.Contracts.Json;
using ExternalAction.Contracts.Platform;
using ExternalAction.Processor.Preview;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace ExternalAction.Api.Preview;

/// <summary>
/// <c>POST /actions/{name}/preview</c>: what a sample request of any contract would do (rules' verdicts, every HTTP
/// request masked, accessor values, path or branch, the platform's answer and report), without sending or storing
/// anything (<see cref="PreviewEngine"/>). docs/channels.md#preview documents the body and the answer.
/// </summary>
public static class PreviewApi
{
    public static IServiceCollection AddPreviewEndpoint(this IServiceCollection services)
    {
        services.AddSingleton<PreviewInputs>();
        services.AddSingleton<PreviewSamples>();
        return services;
    }

    public static RouteGroupBuilder MapPreview(this RouteGroupBuilder platform)
    {
        // Support staff (X-Support-Key, any role: a preview changes nothing) or the action's own caller credentials.
        platform.MapPost("/preview", Preview).AddEndpointFilter(PreviewAccess).WithTags("Preview");
        return platform;
    }

    /// <summary>The body: <c>{"contract"?, "request", "channelResponse"?: {"statusCode", "body"}}</c>.</summary>
    public static async Task<IResult> Preview(ResolvedAction resolved, HttpRequest request, PreviewInputs inputs, PreviewEngine engine, IOptions<IntakeOptions> intake, CancellationToken ct)
    {
        var action = resolved.Definition;
        if (!Submission.IsJson(request.ContentType))
            return ContractErrors.Result(StatusCodes.Status415UnsupportedMediaType, ContractErrors.ForStatus(StatusCodes.Status415UnsupportedMediaType, "Content-Type must be application/json."));
        var limit = intake.Value.MaxBodyBytes;
        using var read = request.ContentLength > limit ? null : await PooledBody.ReadAsync(request.Body, request.ContentLength, limit, ct);
        if (read is null)
            return ContractErrors.Result(StatusCodes.Status413PayloadTooLarge, ContractErrors.ForStatus(StatusCodes.Status413PayloadTooLarge, $"The request body exceeds {limit} bytes."));

        var envelope = PreviewEnvelope.Read(read.Value.Span, inputs.Contracts(action));
        if (envelope.Problem is { } problem)
            return SubmissionFilter.Invalid([problem]);
        var (input, result) = await RunAsync(action, envelope, HeaderParameters(request, action), inputs, engine, ct);
        if (input.Refusal is { } refusal)
            return refusal;
        return TypedResults.Json(result, ContractJson.Options);
    }

    /// <summary>
    /// One preview of a read envelope: the sample read as its contract's endpoint reads it (a refusal: no result), then
    /// the engine, with the platform's immediate answer and the input's notes added. The endpoint and the console's page use it.
    /// </summary>
    public static async Task<(PreviewInput Input, PreviewResult? Result)> RunAsync(Actions.ActionDefinition action, PreviewEnvelope envelope,
        Dictionary<string, string>? httpHeaders, PreviewInputs inputs, PreviewEngine engine, CancellationToken ct)
    {
        var input = await inputs.ReadAsync(action, envelope.Contract!, envelope.Request, httpHeaders, ct);
        if (input.Refusal is not null)
            return (input, null);
        var result = await engine.PreviewAsync(action, input.Message!, envelope.ChannelResponse, ct);
        return (input, result with { Answer = input.Answer, Notes = [.. input.Notes, .. result.Notes] });
    }

    /// <summary>Header parameters the service definition declares, read from the preview call as intake reads them.</summary>
    private static Dictionary<string, string>? HeaderParameters(HttpRequest request, Actions.ActionDefinition action)
    {
        Dictionary<string, string>? found = null;
        foreach (var header in action.ServiceDefinition.InvocationPayloadDef?.Headers ?? [])
        {
            if (header.Name is { } name && request.Headers.TryGetValue(name, out var value) && value.Count > 0)
                (found ??= new(StringComparer.OrdinalIgnoreCase))[name] = value.ToString();
        }
        return found;
    }

    private static async ValueTask<object?> PreviewAccess(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var throttle = http.RequestServices.GetRequiredService<FailedAuthenticationThrottle>();
        if (throttle.RetryAfter(http) is { } retryAfter)
            return FailedAuthenticationThrottle.TooMany(http, retryAfter);
        var presented = http.Request.Headers[SupportOptions.HeaderName].ToString();
        if (presented.Length > 0)
        {
            if (http.RequestServices.GetRequiredService<SupportUsers>().Find(presented) is null)
            {
                throttle.Failed(http, "Support", $"the {SupportOptions.HeaderName} does not match");
                return Unauthorized();
            }
        }
        else if (!(await http.AuthenticateAsync(CallerAuthentication.SchemeName)).Succeeded)
            return Unauthorized();
        return await next(context);
    }

    private static IResult Unauthorized() => ContractErrors.Result(StatusCodes.Status401Unauthorized,
        ContractErrors.Create(ErrorCodes.Unauthorized, $"A valid {SupportOptions.HeaderName} (support, any role) or the action's caller credentials are required."));
}

/// <summary>The preview body, read strictly: which contract, the sample request's JSON text, and the simulated channel answer.</summary>
public sealed record PreviewEnvelope(string? Contract, ReadOnlyMemory<byte> Request, SimulatedResponse? ChannelResponse, ErrorDetail? Problem)
{
    public static PreviewEnvelope Read(ReadOnlySpan<byte> body, IReadOnlyList<string> served)
    {
        static PreviewEnvelope Bad(string field, string message) => new(null, default, null, new ErrorDetail(field, message));
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body.ToArray(), new JsonDocumentOptions { MaxDepth = 64, AllowDuplicateProperties = false });
        }
        catch (JsonException)
        {
            return Bad("$", "is not valid JSON (a JSON object with request, and optionally contract and channelResponse)");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return Bad("$", "the body must be a JSON object with request, and optionally contract and channelResponse");
            foreach (var property in root.EnumerateObject())
            {
                if (property.Name is not ("contract" or "request" or "channelResponse"))
                    return Bad("$", "holds an unknown property (known: contract, request, channelResponse)");
            }
            string? contract = served.Count > 0 ? served[0] : null;
            if (root.TryGetProperty("contract", out var c))
            {
                if (c.ValueKind != JsonValueKind.String)
                    return Bad("contract", "must be a string");
                contract = c.GetString();
            }
            if (contract is null)
                return Bad("contract", "this action serves no contract");
            if (!root.TryGetProperty("request", out var sample) || sample.ValueKind != JsonValueKind.Object)
                return Bad("request", "is required: the sample request, a JSON object");
            SimulatedResponse? response = null;
            if (root.TryGetProperty("channelResponse", out var r))
            {
                if (r.ValueKind != JsonValueKind.Object)
                    return Bad("channelResponse", "must be an object: {\"statusCode\": 200, \"body\": …}");
                var status = 200;
                if (r.TryGetProperty("statusCode", out var s) && !(s.ValueKind == JsonValueKind.Number && s.TryGetInt32(out status) && status is >= 100 and <= 599))
                    return Bad("channelResponse.statusCode", "must be an HTTP status code (100-599)");
                string? text = "{}";
                if (r.TryGetProperty("body", out var b))
                    text = b.ValueKind == JsonValueKind.String ? b.GetString() : b.GetRawText();
                response = new SimulatedResponse(status, text, r.TryGetProperty("body", out var kind) && kind.ValueKind == JsonValueKind.String ? "text/plain" : "application/json");
            }
            return new PreviewEnvelope(contract, System.Text.Encoding.UTF8.GetBytes(sample.GetRawText()), response, null);
        }
    }
}
