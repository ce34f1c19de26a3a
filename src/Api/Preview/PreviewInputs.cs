using System.Text.Json;
using System.Text.Json.Nodes;
using ExternalAction.Actions;
using ExternalAction.Api.Ajo;
using ExternalAction.Api.Errors;
using ExternalAction.Api.Intake;
using ExternalAction.Api.Sfmc;
using ExternalAction.Contracts.Json;
using ExternalAction.Contracts.Messaging;
using ExternalAction.Contracts.Platform;
using Microsoft.Extensions.Options;

namespace ExternalAction.Api.Preview;

/// <summary>A sample request turned into the work item its contract's endpoint would queue, with the answer the platform would get.</summary>
public sealed record PreviewInput(ActionAccepted? Message, JsonNode? Answer, IReadOnlyList<string> Notes, IResult? Refusal, string? Problem)
{
    public static PreviewInput Refused(IResult refusal, string problem) => new(null, null, [], refusal, problem);
}

/// <summary>
/// Reads a sample request of any contract with that contract's own parsing and checks, so a bad sample gets the error
/// its endpoint would answer: B2B an <c>ExecutionRequest</c> (<see cref="Submission"/>, <see cref="SubmissionFilter"/>),
/// SFMC the payload of an execute JWT (<see cref="SfmcPayloads.ReadExecute"/>), AJO a custom-action body
/// (<see cref="AjoInvocation.Read"/>). It then builds the work item exactly as the endpoint does (same request id and
/// deadline) and decides the synchronous answer as the endpoint does, except that a decision's lookup is never called.
/// Nothing is queued, cached or stored.
/// </summary>
public sealed class PreviewInputs(IOptions<IntakeOptions> intake, AjoDeclarations ajo, SfmcBranching branching, AjoAnswers answers, TimeProvider clock)
{
    /// <summary>The contracts <paramref name="action"/> serves, the first being the default of a preview.</summary>
    public IReadOnlyList<string> Contracts(ActionDefinition action)
    {
        List<string> served = [];
        if (action.ServesB2B)
            served.Add(ContractNames.B2B);
        if (ajo.Find(action) is not null)
            served.Add(ContractNames.AjoCustomAction);
        if (action.Sfmc is not null)
            served.Add(ContractNames.Sfmc);
        return served;
    }

    /// <param name="request">The sample's JSON text (the body the platform would send; for SFMC the execute JWT's payload).</param>
    /// <param name="httpHeaders">B2B header parameters the service definition declares, as the platform would send them.</param>
    public async Task<PreviewInput> ReadAsync(ActionDefinition action, string contract, ReadOnlyMemory<byte> request, Dictionary<string, string>? httpHeaders, CancellationToken ct)
    {
        var receivedAt = clock.GetUtcNow();
        if (!Contracts(action).Contains(contract))
            return Refused(ContractErrors.Result(StatusCodes.Status400BadRequest, ContractErrors.Create(ErrorCodes.InvalidRequest,
                $"Invalid field contract: action '{action.Name}' does not serve contract '{Shown(contract)}' (it serves {string.Join(", ", Contracts(action))}).",
                [new ErrorDetail("contract", $"must be one of {string.Join(", ", Contracts(action))}")])));
        switch (contract)
        {
            case ContractNames.B2B:
            {
                var (parsed, refusal) = Submission.Parse(request.Span);
                refusal ??= SubmissionFilter.Check(parsed!, httpHeaders, action, intake.Value);
                if (refusal is not null)
                    return Refused(refusal);
                var message = IntakeApi.WorkItem(action, parsed!, httpHeaders, receivedAt);
                return new PreviewInput(message, JsonSerializer.SerializeToNode(IntakeApi.Answer(message.RequestId), ContractJson.Options), [], null, null);
            }
            case ContractNames.Sfmc:
            {
                JsonObject? payload;
                try
                {
                    payload = JsonNode.Parse(request.Span, documentOptions: new JsonDocumentOptions { MaxDepth = 32, AllowDuplicateProperties = false }) as JsonObject;
                }
                catch (JsonException)
                {
                    payload = null;
                }
                if (payload is null)
                    return SfmcRefused(new SfmcError("The execute payload must be a JSON object (the decoded JWT: inArguments, activityId, definitionInstanceId, keyValue, …)."));
                var (call, problem) = SfmcPayloads.ReadExecute(payload, action);
                if (problem is not null)
                    return SfmcRefused(problem);
                var branch = action.Sfmc!.IsDecision ? await branching.DecideAsync(action, call!, ct, lookup: false) : null;
                var message = SfmcApi.WorkItem(action, call!, branch, receivedAt);
                List<string> notes = branch?.Summary.Contains(Decisioning.Decider.LookupNotCalled, StringComparison.Ordinal) == true
                    ? ["The split's lookup is not called in a preview: the branch shown is the fallback's."] : [];
                return new PreviewInput(message, SfmcApi.Answer(action, message.RequestId, branch), notes, null, null);
            }
            default:
            {
                var face = ajo.Find(action)!;
                var call = AjoInvocation.Read(face, request.Span, receivedAt);
                if (call.Refusal is { } refusal)
                    return Refused(refusal);
                var answer = await answers.PreviewAsync(face, call.Payload, receivedAt, ct);
                List<string> notes = answer?.Decision.Contains(Decisioning.Decider.LookupNotCalled, StringComparison.Ordinal) == true
                    ? ["The decision's lookup is not called in a preview: the response fields shown are the fallback's."] : [];
                return new PreviewInput(AjoApi.WorkItem(call, answer), AjoApi.Answer(call.RequestId, answer), notes, null, null);
            }
        }
    }

    private static PreviewInput Refused(Microsoft.AspNetCore.Http.HttpResults.JsonHttpResult<ErrorResponse> refusal) =>
        PreviewInput.Refused(refusal, refusal.Value?.Message ?? "The sample request is not valid.");

    private static PreviewInput SfmcRefused(SfmcError error) =>
        PreviewInput.Refused(TypedResults.Json(error, ContractJson.Options, statusCode: StatusCodes.Status400BadRequest), error.Message);

    private static string Shown(string value) => value.Length <= 40 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') ? value : "(not a contract name)";
}
