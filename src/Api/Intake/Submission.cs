using ExternalAction.Actions;
using ExternalAction.Contracts.Platform;

namespace ExternalAction.Api.Intake;

/// <summary>
/// A submission that passed <see cref="SubmissionFilter"/>: parsed, validated, for a known action. The handler
/// reads it from the request (parameter binding runs before filters, so it cannot be a bound parameter).
/// </summary>
public sealed record Submission(ActionDefinition Action, ExecutionRequest Request, DateTimeOffset ReceivedAt, Dictionary<string, string>? HttpHeaders)
{
    internal const string ItemKey = "ExternalAction.Submission";

    public static Submission From(HttpContext context) =>
        context.Items[ItemKey] as Submission ?? throw new InvalidOperationException("SubmissionFilter did not run for this endpoint.");
}
