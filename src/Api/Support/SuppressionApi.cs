using Sylvan.Data.Csv;
using ExternalAction.Api.Errors;
using ExternalAction.Contracts.Platform;
using ExternalAction.Processor.Rules;
using ExternalAction.Store.Rules;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ExternalAction.Api.Support;

/// <summary>
/// The suppression list in the support API (docs/support.md): list with paging and a per-address history for every
/// support user; add, remove and a CSV bulk import (with a report per line) for operators. Addresses are stored in
/// their normal form (<see cref="Addresses"/>), so an entry matches however the address is typed in a request.
/// Every change is audited with the operator's name and reason.
/// </summary>
public static class SuppressionApi
{
    public const int MaxImportLines = 10_000;
    private const int MaxReason = 500;

    public static RouteGroupBuilder MapSuppressions(this RouteGroupBuilder support)
    {
        support.MapGet("/suppressions", List);
        support.MapGet("/suppressions/history", History);
        support.MapPost("/suppressions", Add);
        support.MapPost("/suppressions/remove", Remove);
        support.MapPost("/suppressions/import", Import);
        return support;
    }

    public sealed record SuppressionBody(string? Kind, string? Address, string? Reason);

    public sealed record SuppressionView(string Kind, string Address, string? Reason, string CreatedBy, DateTimeOffset CreatedAt);

    public sealed record SuppressionListView(IReadOnlyList<SuppressionView> Items, string? NextCursor);

    public sealed record SuppressionChangeView(string Kind, string Address, bool Changed);

    public sealed record ImportLine(int Line, string Result, string? Kind, string? Address, string? Message);

    public sealed record ImportView(int Added, int AlreadyListed, int Refused, IReadOnlyList<ImportLine> Lines);

    public static async Task<Results<Ok<SuppressionListView>, JsonHttpResult<ErrorResponse>>> List(
        DeliveryRulesStore store, CancellationToken ct, string? kind = null, int? pageSize = null, string? cursor = null)
    {
        if (kind is not null && !Addresses.Kinds.Contains(kind))
            return Invalid("kind", $"must be one of {string.Join(", ", Addresses.Kinds)}");
        if (pageSize is < 1 or > 500)
            return Invalid("pageSize", "must be between 1 and 500");
        try
        {
            var page = await store.ListAsync(kind, pageSize ?? 50, cursor, ct);
            return TypedResults.Ok(new SuppressionListView([.. page.Items.Select(View)], page.NextCursor));
        }
        catch (ArgumentException)
        {
            return Invalid("cursor", "is not a cursor this service issued");
        }
    }

    public static async Task<Results<Ok<IReadOnlyList<SuppressionChange>>, JsonHttpResult<ErrorResponse>>> History(
        DeliveryRulesStore store, CancellationToken ct, string? kind = null, string? address = null)
    {
        var (k, a, problem, field) = Key(kind, address);
        if (problem is not null)
            return Invalid(field!, problem);
        return TypedResults.Ok(await store.HistoryAsync(k!, a!, ct));
    }

    public static async Task<Results<Ok<SuppressionChangeView>, JsonHttpResult<ErrorResponse>>> Add(
        HttpContext http, SuppressionBody? body, DeliveryRulesStore store, TimeProvider clock, CancellationToken ct)
    {
        if (Refusal(http, body, out var principal, out var kind, out var address) is { } refusal)
            return refusal;
        var added = await store.AddAsync(kind!, address!, body!.Reason!.Trim(), principal!.Name, clock.GetUtcNow(), ct);
        return TypedResults.Ok(new SuppressionChangeView(kind!, address!, added));
    }

    public static async Task<Results<Ok<SuppressionChangeView>, JsonHttpResult<ErrorResponse>>> Remove(
        HttpContext http, SuppressionBody? body, DeliveryRulesStore store, TimeProvider clock, CancellationToken ct)
    {
        if (Refusal(http, body, out var principal, out var kind, out var address) is { } refusal)
            return refusal;
        var removed = await store.RemoveAsync(kind!, address!, body!.Reason!.Trim(), principal!.Name, clock.GetUtcNow(), ct);
        return TypedResults.Ok(new SuppressionChangeView(kind!, address!, removed));
    }

    /// <summary>
    /// <c>text/csv</c> body, one entry per line: <c>kind,address[,reason]</c> (a first line <c>kind,address,reason</c> is a
    /// header and skipped). <c>?reason=</c> is the reason of lines without one. Each line is added or refused on its own.
    /// </summary>
    public static async Task<Results<Ok<ImportView>, JsonHttpResult<ErrorResponse>>> Import(
        HttpContext http, DeliveryRulesStore store, TimeProvider clock, CancellationToken ct, string? reason = null)
    {
        var principal = (SupportPrincipal)http.Items[typeof(SupportPrincipal)]!;
        if (!principal.IsOperator)
            return Forbidden();
        if (ReasonProblem(reason, required: false) is { } problem)
            return Invalid("reason", problem);
        if (http.Request.ContentType?.Split(';')[0].Trim() is not ("text/csv" or "text/plain"))
            return ContractErrors.Result(StatusCodes.Status415UnsupportedMediaType, ContractErrors.ForStatus(StatusCodes.Status415UnsupportedMediaType, "Content-Type must be text/csv."));

        var lines = new List<ImportLine>();
        using var reader = new StreamReader(http.Request.Body);
        await using var csv = await CsvDataReader.CreateAsync(reader, new CsvDataReaderOptions { HasHeaders = false, Delimiter = ',' }, ct);
        var now = clock.GetUtcNow();
        while (await csv.ReadAsync(ct))
        {
            var line = csv.RowNumber;
            if (lines.Count >= MaxImportLines)
                return Invalid("body", $"holds more than {MaxImportLines} lines; split the file");
            var record = Enumerable.Range(0, csv.RowFieldCount).Select(i => csv.GetString(i).Trim()).ToArray();
            if (record.Length == 0 || record.All(string.IsNullOrWhiteSpace))
                continue;
            if (line == 1 && record[0].Equals("kind", StringComparison.OrdinalIgnoreCase))
                continue;
            var (kind, address, keyProblem, field) = Key(record.ElementAtOrDefault(0), record.ElementAtOrDefault(1));
            var lineReason = record.Length > 2 && record[2].Length > 0 ? record[2] : reason;
            if (keyProblem is not null)
            {
                lines.Add(new ImportLine(line, "refused", null, null, $"{field} {keyProblem}"));
                continue;
            }
            if (ReasonProblem(lineReason, required: true) is { } why)
            {
                lines.Add(new ImportLine(line, "refused", kind, address, $"reason {why}"));
                continue;
            }
            var added = await store.AddAsync(kind!, address!, lineReason!.Trim(), principal.Name, now, ct);
            lines.Add(new ImportLine(line, added ? "added" : "already-listed", kind, address, null));
        }
        return TypedResults.Ok(new ImportView(lines.Count(l => l.Result == "added"), lines.Count(l => l.Result == "already-listed"),
            lines.Count(l => l.Result == "refused"), lines));
    }

    private static JsonHttpResult<ErrorResponse>? Refusal(HttpContext http, SuppressionBody? body, out SupportPrincipal? principal, out string? kind, out string? address)
    {
        principal = (SupportPrincipal)http.Items[typeof(SupportPrincipal)]!;
        kind = address = null;
        if (!principal.IsOperator)
            return Forbidden();
        var (k, a, problem, field) = Key(body?.Kind, body?.Address);
        if (problem is not null)
            return Invalid(field!, problem);
        if (ReasonProblem(body!.Reason, required: true) is { } why)
            return Invalid("reason", why);
        (kind, address) = (k, a);
        return null;
    }

    /// <summary>The kind and the address in its normal form, or which of the two is wrong and why.</summary>
    private static (string? Kind, string? Address, string? Problem, string? Field) Key(string? kind, string? address)
    {
        if (kind is null || !Addresses.Kinds.Contains(kind))
            return (null, null, $"must be one of {string.Join(", ", Addresses.Kinds)}", "kind");
        return Addresses.Normalize(kind, address) is { } normal
            ? (kind, normal, null, null)
            : (null, null, $"is not {(kind == Addresses.Contact ? "a contact id" : $"an address of kind {kind}")} (1 to 320 characters{(kind == Addresses.Sms ? ", a phone number" : "")})", "address");
    }

    private static string? ReasonProblem(string? reason, bool required) =>
        string.IsNullOrWhiteSpace(reason) ? required ? "is required: say why (it is audited)" : null
        : reason.Length > MaxReason ? $"must be at most {MaxReason} characters"
        : reason.Any(char.IsControl) ? "must not hold control characters"
        : null;

    private static SuppressionView View(Suppression s) => new(s.Kind, s.Address, s.Reason, s.CreatedBy, s.CreatedAt);

    private static JsonHttpResult<ErrorResponse> Forbidden() =>
        ContractErrors.Result(StatusCodes.Status403Forbidden, ContractErrors.Create(ErrorCodes.Forbidden, "Changing the suppression list needs the operator role."));

    private static JsonHttpResult<ErrorResponse> Invalid(string field, string problem) =>
        ContractErrors.Result(StatusCodes.Status400BadRequest, ContractErrors.Create(ErrorCodes.InvalidRequest, $"Invalid parameter {field}: {problem}.", [new ErrorDetail(field, problem)]));
}
