using ExternalAction.Processor.Outbound;
using ExternalAction.Processor.Processing;
using ExternalAction.Store;

namespace ExternalAction.Processor.Rules;

/// <summary>
/// A suppressed or capped request, for every contract: its reporter decides as for a request with nothing to deliver
/// (B2B: a callback whose <c>delivery</c> mappings read the verdict), and these functions mark the steps with the
/// verdict, so the row ends in <c>Suppressed</c> or <c>Capped</c> with the reason once the report (if any) is accepted.
/// </summary>
public static class Withholding
{
    /// <summary>The row's outcome for a delivery verdict (<c>Suppressed</c>, <c>Capped</c>), or null.</summary>
    public static string? Outcome(string? verdict) => verdict switch
    {
        Verdict.Suppressed => RequestStatuses.Suppressed,
        Verdict.Capped => RequestStatuses.Capped,
        _ => null,
    };

    /// <summary>Adds the route, and for a withheld delivery its verdict and reason, to what the reporter decided.</summary>
    public static Step Mark(Step step, OutboundResult delivered)
    {
        var outcome = Outcome(delivered.Verdict);
        string Detail(string? detail) => outcome is null ? detail ?? "" : $"{delivered.Verdict}: {delivered.Error}; {detail}";
        return step switch
        {
            Step.Report r => r with { Update = r.Update with { Route = delivered.Route, Outcome = outcome ?? r.Update.Outcome, Detail = Detail(r.Update.Detail), LastError = outcome is null ? r.Update.LastError : delivered.Error } },
            Step.Done d => Final(d with { Update = d.Update with { Route = delivered.Route, Outcome = outcome ?? d.Update.Outcome, Detail = Detail(d.Update.Detail) } }, outcome),
            Step.End { Update: { } u } e => e with { Update = u with { Route = delivered.Route } },
            Step.Retry r => r with { Update = r.Update with { Route = delivered.Route } },
            _ => step,
        };
    }

    /// <summary>A request whose outcome is <c>Suppressed</c> or <c>Capped</c> ends in that status once its report is accepted.</summary>
    public static Step Final(Step step, string? outcome) =>
        step is Step.Done done && outcome is RequestStatuses.Suppressed or RequestStatuses.Capped
            && done.Update.Status is RequestStatuses.CallbackSent or RequestStatuses.Completed
            ? done with { Update = done.Update with { Status = outcome, Outcome = outcome } }
            : step;
}
