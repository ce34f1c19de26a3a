using ExternalAction.Api.Support;
using ExternalAction.Api.Support.Replay;
using ExternalAction.Store;
using ExternalAction.Store.Lifecycle;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ExternalAction.Api.Console.Pages;

/// <summary>Replay all Failed/TimedOut requests matching a filter: the count first, then a confirmation that must name the same count.</summary>
public sealed class ReplayAllModel(Replays replays) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? EntityId { get; set; }
    [BindProperty(SupportsGet = true)] public string? Journey { get; set; }
    [BindProperty(SupportsGet = true)] public string? Action { get; set; }
    [BindProperty(SupportsGet = true)] public string? Contract { get; set; }
    [BindProperty(SupportsGet = true)] public string? Status { get; set; }
    [BindProperty(SupportsGet = true)] public string? From { get; set; }
    [BindProperty(SupportsGet = true)] public string? To { get; set; }

    public List<string> Problems { get; } = [];
    public IReadOnlyList<RequestRecord> Candidates { get; private set; } = [];
    public IReadOnlyList<ReplayOutcome>? Outcomes { get; private set; }
    public SupportPrincipal Viewer => SupportConsole.User(User);

    public async Task OnGetAsync(CancellationToken ct)
    {
        if (Filter() is { } filter)
            Candidates = await replays.CandidatesAsync(filter, ct);
    }

    public async Task<IActionResult> OnPostAsync(string? reason, bool redeliver, int expectedCount, CancellationToken ct)
    {
        if (!Viewer.IsOperator)
        {
            Response.StatusCode = StatusCodes.Status403Forbidden;
            Problems.Add("Replaying needs the operator role.");
            return Page();
        }
        if (Filter() is not { } filter)
            return Page();
        Candidates = await replays.CandidatesAsync(filter, ct);
        if (ReplayBody.ReasonProblem(reason) is { } problem)
            Problems.Add($"The reason {problem}.");
        else if (Candidates.Count != expectedCount)
            Problems.Add($"The filter now matches {Candidates.Count} requests, not the {expectedCount} you confirmed: look at the count again.");
        else
            Outcomes = await replays.ReplayAllAsync(filter, new ReplayOrder(Viewer, reason!.Trim(), redeliver), ct);
        return Page();
    }

    public string Describe() => string.Join(", ", new[]
    {
        ConsoleFilters.Value(Status) is { } s ? $"status {s}" : $"status {string.Join(" or ", RequestLifecycle.Replayable)}",
        ConsoleFilters.Value(EntityId) is { } e ? $"entity {e}" : null, ConsoleFilters.Value(Journey) is { } j ? $"journey {j}" : null,
        ConsoleFilters.Value(Action) is { } a ? $"action {a}" : null, ConsoleFilters.Value(Contract) is { } c ? $"contract {c}" : null,
        ConsoleFilters.Value(From) is { } f ? $"received from {f}" : null, ConsoleFilters.Value(To) is { } t ? $"received before {t}" : null,
    }.OfType<string>());

    private RequestQuery? Filter()
    {
        if (ConsoleFilters.Value(Status) is { } status && !RequestLifecycle.Replayable.Select(s => s.ToString()).Contains(status))
            Problems.Add($"Only {string.Join(" and ", RequestLifecycle.Replayable)} requests are replayed; the filter's status is {status}.");
        var query = ConsoleFilters.Query(EntityId, Journey, Action, Contract, Status, From, To, Problems);
        return Problems.Count == 0 ? query : null;
    }
}
