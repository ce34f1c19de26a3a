using System.Buffers;
using System.Text.Json;
using ExternalAction.Api.Errors;
using ExternalAction.Api.Platform;
using ExternalAction.Contracts.Json;
using ExternalAction.Contracts.Platform;
using Microsoft.Extensions.Options;

namespace ExternalAction.Api.Intake;

/// <summary>
/// Validation at the edge, once: media type (415), size (413), JSON syntax and types (400 naming the field), the
/// contract's rules and the action's (400). On success the handler receives a <see cref="Submission"/>.
/// </summary>
public sealed class SubmissionFilter(IOptions<IntakeOptions> options, TimeProvider clock) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var http = invocation.HttpContext;
        var action = ActionResolution.Get(http);
        var limits = options.Value;

        if (!IsJson(http.Request.ContentType))
            return ContractErrors.Result(StatusCodes.Status415UnsupportedMediaType, ContractErrors.Create(
                ErrorCodes.InvalidRequest, "Content-Type must be application/json.", nestedCode: ErrorCodes.UnsupportedMediaType));

        if (http.Request.ContentLength > limits.MaxBodyBytes)
            return TooLarge(limits);

        var body = await ReadBodyAsync(http.Request, limits.MaxBodyBytes, http.RequestAborted);
        if (body is null)
            return TooLarge(limits);

        ExecutionRequest? request;
        try
        {
            request = JsonSerializer.Deserialize<ExecutionRequest>(body.Value.Memory.Span, ContractJson.Options);
        }
        catch (Exception e) when (e is JsonException or ArgumentException && DuplicateProperties.FindPath(body.Value.Memory.Span) is { } repeated)
        {
            return Invalid([new ErrorDetail(repeated, "appears twice in its object (duplicate property names are refused)")]);
        }
        catch (JsonException e)
        {
            return Invalid([JsonProblem(e)]);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or System.Text.DecoderFallbackException)
        {
            // Invalid UTF-8 inside a string surfaces as one of these rather than as a JsonException.
            return Invalid([new ErrorDetail("$", "is not valid UTF-8 JSON text")]);
        }
        finally
        {
            body.Value.Return();
        }
        if (request is null)
            return Invalid([new ErrorDetail("$", "the body must be a JSON object")]);

        var errors = ExecutionRequestValidator.Validate(request, action, limits);
        if (errors.Count > 0)
            return Invalid(errors);

        var headerParameters = HeaderParameters(http, action);
        if (headerParameters is not null)
        {
            // Header parameters reach header templates like customHeaders do.
            ExecutionRequestValidator.ValidateHeaders(headerParameters, "headers", errors);
            if (errors.Count > 0)
                return Invalid(errors);
        }

        http.Items[Submission.ItemKey] = new Submission(action, request, clock.GetUtcNow(), headerParameters);
        return await next(invocation);
    }

    private static object TooLarge(IntakeOptions limits) =>
        ContractErrors.Result(StatusCodes.Status413PayloadTooLarge, ContractErrors.Create(
            ErrorCodes.InvalidRequest, $"The request body exceeds {limits.MaxBodyBytes} bytes.", nestedCode: ErrorCodes.PayloadTooLarge));

    private static object Invalid(IReadOnlyList<ErrorDetail> errors)
    {
        var first = errors[0];
        var message = errors.Count == 1
            ? $"Invalid field {first.Field}: {first.Message}."
            : $"Invalid field {first.Field}: {first.Message} (and {errors.Count - 1} more problem{(errors.Count > 2 ? "s" : "")}).";
        return ContractErrors.Result(StatusCodes.Status400BadRequest, ContractErrors.Create(ErrorCodes.InvalidRequest, message, errors));
    }

    /// <summary>Turns System.Text.Json's message into a field path and a plain reason, without echoing the input.</summary>
    private static ErrorDetail JsonProblem(JsonException e)
    {
        var field = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "$" : e.Path.StartsWith("$.", StringComparison.Ordinal) ? e.Path[2..] : e.Path;
        var reason = e.Message.Contains("could not be converted", StringComparison.Ordinal)
            ? $"has the wrong JSON type{ExpectedType(e.Message)}"
            : e.Message.Contains("maximum configured depth", StringComparison.Ordinal)
                ? "is nested too deeply"
                : e.InnerException is InvalidOperationException or System.Text.DecoderFallbackException || e.Message.Contains("UTF-8", StringComparison.Ordinal)
                    ? "is not valid UTF-8 text"
                    : $"is not valid JSON (line {e.LineNumber + 1}, position {e.BytePositionInLine + 1})";
        return new ErrorDetail(field, reason);
    }

    private static string ExpectedType(string message)
    {
        string[][] types =
        [
            ["System.String", "a string"], ["System.Int64", "an integer"], ["System.Int32", "an integer"],
            ["System.Boolean", "a boolean"], ["JsonObject", "an object"], ["List`1", "an array"], ["Dictionary`2", "an object"],
            ["ExternalAction.Contracts", "an object"],
        ];
        foreach (var pair in types)
            if (message.Contains(pair[0], StringComparison.Ordinal))
                return $" (expected {pair[1]})";
        return "";
    }

    private static bool IsJson(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType))
            return false;
        var mediaType = contentType.Split(';', 2)[0].Trim();
        return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (mediaType.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Header parameters the service definition declares, when the platform sends them as real HTTP headers.</summary>
    private static Dictionary<string, string>? HeaderParameters(HttpContext http, Actions.ActionDefinition action)
    {
        var declared = action.ServiceDefinition.InvocationPayloadDef?.Headers;
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

    /// <summary>Reads the body into a pooled buffer, or returns null when it is larger than the limit.</summary>
    private static async Task<PooledBody?> ReadBodyAsync(HttpRequest request, int limit, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(request.ContentLength is > 0 and var l ? (int)Math.Min(l + 1, limit + 1) : 16 * 1024);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > limit)
                        break;
                    var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, limit + 1));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }
                var read = await request.Body.ReadAsync(buffer.AsMemory(length), ct);
                if (read == 0)
                    break;
                length += read;
                if (length > limit)
                    break;
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
        if (length > limit)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return null;
        }
        return new PooledBody(buffer, length);
    }

    private readonly record struct PooledBody(byte[] Buffer, int Length)
    {
        public ReadOnlyMemory<byte> Memory => Buffer.AsMemory(0, Length);
        public void Return() => ArrayPool<byte>.Shared.Return(Buffer);
    }
}
