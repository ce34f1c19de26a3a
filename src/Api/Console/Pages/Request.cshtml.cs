using System.Text.Json;
using System.Text.Json.Nodes;
using ExternalAction.Api.Support;
using ExternalAction.Api.Support.Replay;
using ExternalAction.Store;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ExternalAction.Api.Console.Pages;

/// <summary>One request: who and what it is for, its timeline, what was delivered and reported, and (for an operator) its replay.</summary>
public sealed class RequestModel(StatusQueries queries, Replays replays, TimeProvider clock) : PageModel
{
    public RequestRecord? Row { get; private set; }
    public IReadOnlyList<TransitionRecord> Transitions { get; private set; } = [];
    public DateTimeOffset Now { get; private set; }
    /// <summary>What the last replay came to, carried over the redirect after the POST (TempData: a protected cookie, not the URL).</summary>
    [TempData] public string? ReplayMessage { get; set; }
    [TempData] public bool ReplaySucceeded { get; set; }
    public string? Problem { get; private set; }
    public SupportPrincipal Viewer => SupportConsole.User(User);

    /// <summary>Why a replay would be refused before looking for the dead letter (null: it may be tried).</summary>
    public string? ReplayRefusal(bool redeliver) => Row is null ? null : Replays.Refusal(Row, redeliver);

    public async Task<IActionResult> OnGetAsync(string requestId, CancellationToken ct) => await LoadAsync(requestId, ct);

    public async Task<IActionResult> OnPostReplayAsync(string requestId, string? reason, bool redeliver, CancellationToken ct)
    {
        if (!Viewer.IsOperator)
        {
            Response.StatusCode = StatusCodes.Status403Forbidden;
            Problem = "Replaying needs the operator role.";
            return await LoadAsync(requestId, ct);
        }
        if (ReplayBody.ReasonProblem(reason) is { } problem)
        {
            Problem = $"The reason {problem}.";
            return await LoadAsync(requestId, ct);
        }
        var outcome = await replays.ReplayAsync(requestId, new ReplayOrder(Viewer, reason!.Trim(), redeliver), ct);
        ReplaySucceeded = outcome.Replayed;
        ReplayMessage = outcome.Replayed
            ? $"Replayed: the request is queued again, new deadline {ConsoleFormat.Time(outcome.Deadline)}{(outcome.Redelivered ? ", the channel gets it again" : "")}."
            : $"Not replayed: {outcome.Refusal}.";
        // Post, redirect, get: reloading the page shows it again instead of replaying again.
        return Redirect($"{SupportConsole.BasePath}/requests/{Uri.EscapeDataString(requestId)}");
    }

    private async Task<IActionResult> LoadAsync(string requestId, CancellationToken ct)
    {
        Now = clock.GetUtcNow();
        Row = await queries.GetAsync(requestId, ct);
        if (Row is null)
        {
            Response.StatusCode = StatusCodes.Status404NotFound;
            return Page();
        }
        Transitions = await queries.GetTransitionsAsync(requestId, ct);
        return Page();
    }

    /// <summary>Stored JSON laid out for reading (as stored when it does not parse). Masked values stay masked: nothing is added.</summary>
    public static string Pretty(string? json)
    {
        if (string.IsNullOrEmpty(json))
            return "";
        try
        {
            return JsonNode.Parse(json)?.ToJsonString(Indented) ?? json;
        }
        catch (JsonException)
        {
            return json;
        }
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
