using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ExternalAction.Api.Errors;
using ExternalAction.Api.Intake;
using ExternalAction.Api.Platform;
using ExternalAction.Contracts.Json;
using ExternalAction.Contracts.Messaging;
using ExternalAction.Contracts.Platform;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace ExternalAction.Api.Ajo;

/// <summary>
/// The body of an AJO custom-action call, read and checked when the handler's parameters are bound: media type (415),
/// size (413), JSON (400 naming where), the action's declaration (400 naming each JSON path), and the identity values
/// (length and characters: they reach the status row). <see cref="AjoInvocationFilter"/> answers <see cref="Refusal"/>
/// before the handler runs, so a handler only reads a valid call.
/// </summary>
public sealed class AjoInvocation : IBindableFromHttpContext<AjoInvocation>
{
    /// <summary>What the status row's identity columns hold at most.</summary>
    public const int MaxIdentityLength = 256;

    private static readonly JsonNodeOptions NodeOptions = new() { PropertyNameCaseInsensitive = false };
    private static readonly JsonDocumentOptions DocumentOptions = new() { AllowDuplicateProperties = false, MaxDepth = 64 };

    private AjoInvocation(AjoAction? action, JsonObject? payload, WorkIdentity? identity, string? requestId, JsonHttpResult<ErrorResponse>? refusal, DateTimeOffset receivedAt)
    {
        _action = action;
        _payload = payload;
        _identity = identity;
        _requestId = requestId;
        Refusal = refusal;
        ReceivedAt = receivedAt;
    }

    private readonly AjoAction? _action;
    private readonly JsonObject? _payload;
    private readonly WorkIdentity? _identity;
    private readonly string? _requestId;

    public AjoAction Action => _action ?? throw Refused();
    /// <summary>The payload as declared: constants filled in, unknown fields handled by the action's policy.</summary>
    public JsonObject Payload => _payload ?? throw Refused();
    public WorkIdentity Identity => _identity ?? throw Refused();
    /// <summary>The idempotency key: the same for AJO's retries of one call.</summary>
    public string RequestId => _requestId ?? throw Refused();
    public JsonHttpResult<ErrorResponse>? Refusal { get; }
    public DateTimeOffset ReceivedAt { get; }

    private static InvalidOperationException Refused() => new("A refused call has no payload: AjoInvocationFilter answers it.");

    public static async ValueTask<AjoInvocation?> BindAsync(HttpContext http, ParameterInfo parameter)
    {
        var receivedAt = http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        var action = ResolvedAction.Of(http) is { } resolved ? http.RequestServices.GetRequiredService<AjoDeclarations>().Find(resolved.Definition) : null;
        if (action is null)
            return Refuse(AjoInvocationFilter.NoAjoFace(), receivedAt);
        if (!Submission.IsJson(http.Request.ContentType))
            return Refuse(ContractErrors.Result(StatusCodes.Status415UnsupportedMediaType,
                ContractErrors.ForStatus(StatusCodes.Status415UnsupportedMediaType, "Content-Type must be application/json.")), receivedAt);
        var limit = http.RequestServices.GetRequiredService<IOptions<IntakeOptions>>().Value.MaxBodyBytes;
        if (http.Request.ContentLength > limit || await PooledBody.ReadAsync(http.Request.Body, http.Request.ContentLength, limit, http.RequestAborted) is not { } read)
            return Refuse(ContractErrors.Result(StatusCodes.Status413PayloadTooLarge,
                ContractErrors.ForStatus(StatusCodes.Status413PayloadTooLarge, $"The request body exceeds {limit} bytes.")), receivedAt);

        using (read)
            return Read(action, read.Span, receivedAt);
    }

    /// <summary>A call's body checked against the action's declaration (shared with the preview): the call, or its refusal.</summary>
    public static AjoInvocation Read(AjoAction action, ReadOnlySpan<byte> body, DateTimeOffset receivedAt)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(body, NodeOptions, DocumentOptions);
        }
        catch (JsonException e)
        {
            var problem = DuplicateProperties.FindPath(body) is { } repeated
                ? new ErrorDetail(repeated.StartsWith('$') ? repeated : "$." + repeated, "appears twice in its object (duplicate property names are refused)")
                : new ErrorDetail("$", $"is not valid JSON (line {e.LineNumber + 1}, position {e.BytePositionInLine + 1})");
            return Refuse(SubmissionFilter.Invalid([problem]), receivedAt);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or DecoderFallbackException)
        {
            return Refuse(SubmissionFilter.Invalid([new ErrorDetail("$", "is not valid UTF-8 JSON text")]), receivedAt);
        }
        if (root is not JsonObject)
            return Refuse(SubmissionFilter.Invalid([new ErrorDetail("$", "the body must be a JSON object")]), receivedAt);

        var problems = new List<ErrorDetail>();
        var payload = (JsonObject)action.Request.Validate(root, "$", action.Face.UnknownFields, problems)!;
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var field in action.Identity)
        {
            if (problems.Count > 0)
                break;
            var value = JsonPathOf(payload, field.Names);
            var text = value?.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value?.ToJsonString();
            if (string.IsNullOrEmpty(text) || text.Length > MaxIdentityLength || text.Any(char.IsControl))
                problems.Add(new ErrorDetail(field.Path, $"identifies the call and must be 1-{MaxIdentityLength} characters without control characters"));
            else
                values[field.Key] = text;
        }
        if (problems.Count > 0)
            return Refuse(SubmissionFilter.Invalid(problems), receivedAt);

        var identity = new WorkIdentity
        {
            EntityType = "profile",
            ContactKey = values.GetValueOrDefault("profile"),
            JourneyId = values.GetValueOrDefault("journeyId"),
            JourneyName = values.GetValueOrDefault("journeyName"),
            JourneyInstanceId = values.GetValueOrDefault("journeyVersion"),
            ActivityId = values.GetValueOrDefault("step"),
        };
        return new AjoInvocation(action, payload, identity, RequestIdOf(action, payload, values), null, receivedAt);
    }

    /// <summary>
    /// <c>ajo-</c> and 32 hex digits of SHA-256 over the action name and, when the action declares identity fields, their
    /// values by key; otherwise the canonical payload (keys sorted, no whitespace), so a retry of the same call matches.
    /// </summary>
    public static string RequestIdOf(AjoAction action, JsonObject payload, IReadOnlyDictionary<string, string> identity)
    {
        var text = new StringBuilder(action.Definition.Name).Append('\n');
        if (identity.Count > 0)
        {
            foreach (var (key, value) in identity.OrderBy(p => p.Key, StringComparer.Ordinal))
                text.Append(key).Append('=').Append(value.Length).Append(':').Append(value).Append('\n');
        }
        else
            Canonical(payload, text);
        return "ajo-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())).AsSpan(0, 16));
    }

    /// <summary>The payload as one canonical JSON text: object keys in ordinal order, values as System.Text.Json writes them.</summary>
    public static void Canonical(JsonNode? node, StringBuilder text)
    {
        switch (node)
        {
            case JsonObject obj:
                text.Append('{');
                var first = true;
                foreach (var (name, child) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    if (!first)
                        text.Append(',');
                    first = false;
                    text.Append(JsonSerializer.Serialize(name)).Append(':');
                    Canonical(child, text);
                }
                text.Append('}');
                break;
            case JsonArray array:
                text.Append('[');
                for (var i = 0; i < array.Count; i++)
                {
                    if (i > 0)
                        text.Append(',');
                    Canonical(array[i], text);
                }
                text.Append(']');
                break;
            case null:
                text.Append("null");
                break;
            default:
                text.Append(node.ToJsonString());
                break;
        }
    }

    private static JsonNode? JsonPathOf(JsonObject payload, IReadOnlyList<string> names)
    {
        JsonNode? node = payload;
        foreach (var name in names)
            node = node is JsonObject obj && obj.TryGetPropertyValue(name, out var child) ? child : null;
        return node;
    }

    private static AjoInvocation Refuse(JsonHttpResult<ErrorResponse> refusal, DateTimeOffset receivedAt) => new(null, null, null, null, refusal, receivedAt);
}

/// <summary>Answers a refused <see cref="AjoInvocation"/> (404, 415, 413, 400) before the handler runs.</summary>
public sealed class AjoInvocationFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next) =>
        invocation.Arguments.OfType<AjoInvocation>().Single().Refusal ?? await next(invocation);

    public static JsonHttpResult<ErrorResponse> NoAjoFace() => ContractErrors.Result(StatusCodes.Status404NotFound,
        ContractErrors.ForStatus(StatusCodes.Status404NotFound, "This action has no AJO custom-action face (its action file entry declares no 'ajo' section)."));
}
