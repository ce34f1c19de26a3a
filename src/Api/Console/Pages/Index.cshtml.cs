using System.Globalization;
using ExternalAction.Contracts.Messaging;
using ExternalAction.Store;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ExternalAction.Api.Console.Pages;

/// <summary>Search: a request id opens its page; the other fields filter the status table, newest first, with keyset paging and counts by status.</summary>
public sealed class IndexModel(StatusQueries queries) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? RequestId { get; set; }
    [BindProperty(SupportsGet = true)] public string? EntityId { get; set; }
    [BindProperty(SupportsGet = true)] public string? Journey { get; set; }
    [BindProperty(SupportsGet = true)] public string? Action { get; set; }
    [BindProperty(SupportsGet = true)] public string? Contract { get; set; }
    [BindProperty(SupportsGet = true)] public string? Status { get; set; }
    [BindProperty(SupportsGet = true)] public string? From { get; set; }
    [BindProperty(SupportsGet = true)] public string? To { get; set; }
    [BindProperty(SupportsGet = true)] public string? Cursor { get; set; }

    public List<string> Problems { get; } = [];
    public RequestPage? Results { get; private set; }
    public IReadOnlyList<StatusTotal> Counts { get; private set; } = [];
    public RequestQuery Query { get; private set; } = new();

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (Trimmed(RequestId) is { } id)
        {
            if (await queries.GetAsync(id, ct) is not null)
                return Redirect($"{SupportConsole.BasePath}/requests/{Uri.EscapeDataString(id)}");
            Problems.Add("No request has that id.");
        }
        if (Status is { Length: > 0 } && !RequestStatuses.All.Contains(Status))
            Problems.Add("Pick a status from the list.");
        if (Contract is { Length: > 0 } && !ContractNames.All.Contains(Contract))
            Problems.Add("Pick a contract from the list.");
        Query = ConsoleFilters.Query(EntityId, Journey, Action, Contract, Status, From, To, Problems) with { PageSize = 50, Cursor = Trimmed(Cursor) };
        if (Problems.Count > 0)
            return Page();
        try
        {
            Results = await queries.QueryAsync(Query, ct);
        }
        catch (ArgumentException)
        {
            Problems.Add("That page link is not one this console made; start the search again.");
            return Page();
        }
        Counts = await queries.CountByStatusAsync(Query with { Status = null }, ct);
        return Page();
    }

    /// <summary>This search's link with one field changed (null removes it).</summary>
    public string Link(string? status = null, string? cursor = null, bool keepStatus = true) =>
        ConsoleFilters.Link(SupportConsole.BasePath, EntityId, Journey, Action, Contract, keepStatus ? status ?? Status : status, From, To, cursor);

    private static string? Trimmed(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

/// <summary>The console's filter fields, read once into a <see cref="RequestQuery"/> and written back into links.</summary>
public static class ConsoleFilters
{
    public static RequestQuery Query(string? entityId, string? journey, string? action, string? contract, string? status, string? from, string? to, List<string> problems) => new()
    {
        EntityId = Value(entityId), Journey = Value(journey), Action = Value(action), Contract = Value(contract), Status = Value(status),
        From = Time(from, "From", problems), To = Time(to, "To", problems),
    };

    public static string Link(string path, string? entityId, string? journey, string? action, string? contract, string? status, string? from, string? to, string? cursor = null)
    {
        var parts = new List<string>();
        void Add(string name, string? value)
        {
            if (Value(value) is { } v)
                parts.Add($"{name}={Uri.EscapeDataString(v)}");
        }
        Add("entityId", entityId); Add("journey", journey); Add("action", action); Add("contract", contract); Add("status", status);
        Add("from", from); Add("to", to); Add("cursor", cursor);
        return parts.Count == 0 ? path : $"{path}?{string.Join('&', parts)}";
    }

    public static string? Value(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>An ISO 8601 time or a browser's date-time-local value, read as UTC.</summary>
    private static DateTimeOffset? Time(string? value, string name, List<string> problems)
    {
        if (Value(value) is not { } text)
            return null;
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
            return time;
        problems.Add($"{name} must be a date and time (UTC), like 2026-10-05T07:00.");
        return null;
    }
}

/// <summary>How the console writes times and spans.</summary>
public static class ConsoleFormat
{
    public static string Time(DateTimeOffset? time) => time is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture) + "Z" : "";

    public static string Span(TimeSpan span)
    {
        var sign = span < TimeSpan.Zero ? "-" : "";
        span = span.Duration();
        return sign + (span.TotalSeconds < 1 ? $"{span.TotalMilliseconds:0} ms"
            : span.TotalMinutes < 1 ? $"{span.TotalSeconds:0.0} s"
            : span.TotalHours < 1 ? $"{(int)span.TotalMinutes} min {span.Seconds} s"
            : span.TotalDays < 1 ? $"{(int)span.TotalHours} h {span.Minutes} min"
            : $"{(int)span.TotalDays} d {span.Hours} h");
    }

    /// <summary>Who the request is for, whatever the contract calls it.</summary>
    public static string Entity(RequestRecord row) =>
        string.Join(" · ", new[] { row.LeadId is { } l ? $"lead {l}" : null, row.AccountId is { } a ? $"account {a}" : null,
            row.PersonIds is { } p ? $"people {p}" : null, row.ContactKey is { } c ? $"contact {c}" : null }.OfType<string>());
}
