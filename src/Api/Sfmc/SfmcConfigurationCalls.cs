using System.Text.Json;
using System.Text.Json.Nodes;
using ExternalAction.Actions;
using ExternalAction.Api.Intake;
using ExternalAction.Api.Platform;
using ExternalAction.Contracts.Json;
using ExternalAction.Contracts.Messaging;
using ExternalAction.ServiceDefaults.Secrets;
using ExternalAction.Store.Activations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace ExternalAction.Api.Sfmc;

/// <summary>
/// Journey Builder's configuration-time calls: <c>save</c> (the marketer saved the activity), <c>validate</c> (before
/// activation: can this action run? a 4xx blocks the journey with our message), <c>publish</c> and <c>stop</c> (a journey
/// version goes live or stops; recorded in <see cref="JourneyActivations"/> so support sees where the action is live).
/// The body is JSON or a JWT: a JWT is always verified; plain JSON is accepted when the deployment says so
/// (<see cref="SfmcOptions.AcceptUnsignedConfigurationCalls"/>, default in Development only). <c>validate</c> also
/// previews the activity for a placeholder contact (<see cref="SfmcValidation"/>).
/// </summary>
public sealed class SfmcConfigurationCalls(
    SfmcJwt jwt, IOptions<SfmcOptions> options, IOptions<IntakeOptions> intake, IHostEnvironment environment, SecretResolver secrets,
    JourneyActivations activations, SfmcValidation validation, TimeProvider clock, ILogger<SfmcConfigurationCalls> logger)
{
    public const string Save = "save", Validate = "validate", Publish = "publish", Stop = "stop";
    public static IReadOnlyList<string> All { get; } = [Save, Validate, Publish, Stop];

    public async Task<Results<Ok<JsonObject>, JsonHttpResult<SfmcError>>> HandleAsync(string kind, ResolvedAction resolved, HttpRequest request, CancellationToken ct)
    {
        var action = resolved.Definition;
        var text = await SfmcApi.ReadBodyAsync(request, options.Value.MaxBodyBytes, ct);
        if (text is null)
            return SfmcApi.Error(StatusCodes.Status413PayloadTooLarge, $"The body is larger than {options.Value.MaxBodyBytes} bytes.");

        JsonObject body;
        var trimmed = text.Trim();
        if (SfmcApi.IsJson(request.ContentType) || trimmed.StartsWith('{') || trimmed.Length == 0)
        {
            if (!(options.Value.AcceptUnsignedConfigurationCalls ?? environment.IsDevelopment()))
            {
                logger.LogWarning("SFMC {Kind} for action {Action} refused: unsigned, and {Section}:AcceptUnsignedConfigurationCalls is off.", kind, action.Name, SfmcOptions.Section);
                return SfmcApi.Error(StatusCodes.Status401Unauthorized,
                    $"The {kind} call was not signed. Sign it (useJwt) or set {SfmcOptions.Section}:AcceptUnsignedConfigurationCalls to true on the service.");
            }
            try
            {
                body = trimmed.Length == 0 ? [] : JsonNode.Parse(trimmed, documentOptions: new JsonDocumentOptions { MaxDepth = 32 }) as JsonObject
                    ?? throw new JsonException("not an object");
            }
            catch (JsonException)
            {
                return SfmcApi.Error(StatusCodes.Status400BadRequest, $"The {kind} body is not a JSON object.");
            }
        }
        else
        {
            var verdict = await jwt.VerifyAsync(trimmed);
            if (verdict.Refusal is { } refusal)
            {
                logger.LogWarning("SFMC {Kind} for action {Action} refused: {Reason}.", kind, action.Name, refusal);
                return SfmcApi.Error(StatusCodes.Status401Unauthorized, $"The {kind} call was not accepted: {refusal}.");
            }
            if (verdict.Malformation is { } malformed)
                return SfmcApi.Error(StatusCodes.Status400BadRequest, $"The {kind} payload cannot be read: {malformed}.");
            body = verdict.Payload!;
        }

        var (call, problem) = SfmcPayloads.ReadConfiguration(body, journeyRequired: kind is Publish or Stop);
        if (problem is not null)
            return TypedResults.Json(problem, ContractJson.Options, statusCode: StatusCodes.Status400BadRequest);

        var notReady = kind is Validate or Publish ? Readiness(action).FirstOrDefault() : null;
        // validate also previews one placeholder contact (no I/O): what would fail for every contact blocks activation now.
        if (notReady is null && kind == Validate)
            notReady = await validation.ProblemAsync(action, ct);
        if (notReady is not null)
        {
            logger.LogInformation("SFMC {Kind} for action {Action}: not ready: {Problem}", kind, action.Name, notReady);
            return SfmcApi.Error(StatusCodes.Status400BadRequest, $"This activity cannot run yet: {notReady} Ask the administrator of the ExternalAction service to fix it, then validate again.");
        }
        switch (kind)
        {
            case Publish or Stop:
                await activations.RecordAsync(new JourneyActivation
                {
                    Contract = ContractNames.Sfmc,
                    JourneyId = call!.InteractionId!,
                    JourneyVersion = call.InteractionVersion!,
                    ActivityId = call.ActivityObjectId!,
                    ActionName = action.Name,
                    ActionVersion = action.Version,
                    JourneyKey = call.InteractionKey,
                    OriginalDefinitionId = call.OriginalDefinitionId,
                    State = kind == Publish ? JourneyActivations.Live : JourneyActivations.Stopped,
                    UpdatedAt = clock.GetUtcNow(),
                }, ct);
                logger.LogInformation("SFMC {Kind}: action {Action} is {State} in a journey version.", kind, action.Name, kind == Publish ? "live" : "stopped");
                break;
        }
        return TypedResults.Ok(new JsonObject { ["success"] = true });
    }

    /// <summary>
    /// Why the action cannot run from here, in words for a marketer (what is wrong, never a secret's value): the JWT signing
    /// secret, the channel's secrets and URLs, the write-back's secret, the service's public URL.
    /// </summary>
    public IEnumerable<string> Readiness(ActionDefinition action)
    {
        if (jwt.Problems().Any())
            yield return "the service has no usable JWT signing secret for Journey Builder, so it cannot accept the contacts.";
        if (!environment.IsDevelopment() && !(Uri.TryCreate(intake.Value.PublicBaseUrl, UriKind.Absolute, out var u) && u.Scheme == Uri.UriSchemeHttps))
            yield return "the service's public address is not https.";
        var channel = action.Channel;
        foreach (var (what, name) in new[]
                 {
                     ("the channel's address", channel.UrlSecret),
                     ("the channel's credentials", channel.Type == ChannelTypes.Webhook && channel.Auth.Type != ChannelAuthTypes.None ? channel.Auth.Secret : null),
                     ("the SMS account's token", channel.Type == ChannelTypes.Twilio ? channel.AuthTokenSecret : null),
                     ("the Data Extension write-back's client secret", action.Sfmc?.WriteBack?.ClientSecretSecret),
                 })
        {
            if (name is not null && !secrets.TryResolve(name, out _))
                yield return $"the service is missing {what} ('{name}').";
        }
        foreach (var (_, url, isTemplate) in ChannelUrls.Of(channel))
        {
            if (ChannelUrls.Origin(url, isTemplate, out _) is { } origin && origin.Scheme != Uri.UriSchemeHttps && !origin.IsLoopback && !environment.IsDevelopment())
                yield return $"the {channel.Type} channel's address ({origin.Host}) is not https.";
        }
    }
}
