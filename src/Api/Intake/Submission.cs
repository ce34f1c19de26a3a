using System.Reflection;
using System.Text.Json;
using ExternalAction.Api.Errors;
using ExternalAction.Api.Platform;
using ExternalAction.Contracts.Json;
using ExternalAction.Contracts.Platform;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace ExternalAction.Api.Intake;

/// <summary>
/// The body of a <c>submitAsyncAction</c> call, read when the handler's parameters are bound, as the framework reads a
/// <c>[FromBody]</c> parameter: media type (415), size (413), JSON syntax and types (400 naming the field), with the
/// header parameters the action declares and when it was received. <see cref="SubmissionFilter"/> answers
/// <see cref="Refusal"/>, or the contract's and the action's rules, before the handler runs, so a handler only ever
/// reads the <see cref="Request"/> of a valid submission.
/// </summary>
public sealed class Submission : IBindableFromHttpContext<Submission>
{
    private readonly ExecutionRequest? _request;

    private Submission(ExecutionRequest? request, JsonHttpResult<ErrorResponse>? refusal, DateTimeOffset receivedAt, Dictionary<string, string>? httpHeaders)
    {
        _request = request;
        Refusal = refusal;
        ReceivedAt = receivedAt;
        HttpHeaders = httpHeaders;
    }

    public ExecutionRequest Request => _request ?? throw new InvalidOperationException("A refused submission has no request: SubmissionFilter answers it.");

    /// <summary>Why the body could not be read as an execution request, in the contract's error shape; null when it was.</summary>
    public JsonHttpResult<ErrorResponse>? Refusal { get; }

    public DateTimeOffset ReceivedAt { get; }

    /// <summary>Header parameters the service definition declares, when the platform sends them as real HTTP headers.</summary>
    public Dictionary<string, string>? HttpHeaders { get; }

    public static async ValueTask<Submission?> BindAsync(HttpContext http, ParameterInfo parameter)
    {
        var receivedAt = http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        var (request, refusal) = await ReadAsync(http.Request, http.RequestServices.GetRequiredService<IOptions<IntakeOptions>>().Value.MaxBodyBytes);
        return new Submission(request, refusal, receivedAt, refusal is null ? HeaderParameters(http) : null);
    }

    private static async Task<(ExecutionRequest? Request, JsonHttpResult<ErrorResponse>? Refusal)> ReadAsync(HttpRequest http, int limit)
    {
        if (!IsJson(http.ContentType))
            return (null, ContractErrors.Result(StatusCodes.Status415UnsupportedMediaType,
                ContractErrors.ForStatus(StatusCodes.Status415UnsupportedMediaType, "Content-Type must be application/json.")));
        if (http.ContentLength > limit || await PooledBody.ReadAsync(http.Body, http.ContentLength, limit, http.HttpContext.RequestAborted) is not { } read)
            return (null, ContractErrors.Result(StatusCodes.Status413PayloadTooLarge,
                ContractErrors.ForStatus(StatusCodes.Status413PayloadTooLarge, $"The request body exceeds {limit} bytes.")));
        using var body = read;
        return Parse(body.Span);
    }

    /// <summary>An execution request from its JSON text, or the contract's 400 naming the field (shared with the preview).</summary>
    internal static (ExecutionRequest? Request, JsonHttpResult<ErrorResponse>? Refusal) Parse(ReadOnlySpan<byte> body)
    {
        ErrorDetail problem;
        try
        {
            if (JsonSerializer.Deserialize<ExecutionRequest>(body, ContractJson.Options) is { } request)
                return (request, null);
            problem = new ErrorDetail("$", "the body must be a JSON object");
        }
        catch (Exception e) when (e is JsonException or ArgumentException && DuplicateProperties.FindPath(body) is { } repeated)
        {
            problem = new ErrorDetail(repeated, "appears twice in its object (duplicate property names are refused)");
        }
        catch (JsonException e)
        {
            problem = JsonProblems.Explain(e, body);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or System.Text.DecoderFallbackException)
        {
            // Invalid UTF-8 inside a string surfaces as one of these rather than as a JsonException.
            problem = new ErrorDetail("$", "is not valid UTF-8 JSON text");
        }
        return (null, SubmissionFilter.Invalid([problem]));
    }

    /// <summary>application/json or an application/*+json media type (shared with the AJO face).</summary>
    internal static bool IsJson(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType))
            return false;
        var mediaType = contentType.Split(';', 2)[0].Trim();
        return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (mediaType.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
    }

    private static Dictionary<string, string>? HeaderParameters(HttpContext http)
    {
        var declared = ResolvedAction.Of(http)?.Definition.ServiceDefinition.InvocationPayloadDef?.Headers;
        if (declared is null || declared.Count == 0)
            return null;
        Dictionary<string, string>? found = null;
        foreach (var header in declared)
        {
            if (header.Name is { } name && http.Request.Headers.TryGetValue(name, out var value) && value.Count > 0)
                (found ??= new(StringComparer.OrdinalIgnoreCase))[name] = value.ToString();
        }
        return found;
    }
}
