using ExternalAction.Actions;
using ExternalAction.Contracts.Platform;

namespace ExternalAction.Api.Intake;

/// <summary>
/// A submission that passed <see cref="SubmissionFilter"/>: parsed, validated, for a known action. Handlers take it
/// as a parameter and never see invalid input.
/// </summary>
public sealed record Submission(ActionDefinition Action, ExecutionRequest Request, DateTimeOffset ReceivedAt, Dictionary<string, string>? HttpHeaders)
{
    internal const string ItemKey = "ExternalAction.Submission";

    public static ValueTask<Submission?> BindAsync(HttpContext context) =>
        ValueTask.FromResult(context.Items[ItemKey] as Submission);
}
