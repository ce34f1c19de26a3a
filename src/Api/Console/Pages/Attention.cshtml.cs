using ExternalAction.Api.Support;
using ExternalAction.Store;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace ExternalAction.Api.Console.Pages;

/// <summary>What support should look at now: retrying, close to the deadline, dead letters, unconfirmed callbacks, and requests nobody picked up.</summary>
public sealed class AttentionModel(StatusQueries queries, IOptions<SupportOptions> options, TimeProvider clock) : PageModel
{
    public const int PerList = 50;

    /// <summary>A request received this long ago and still not picked up is listed as stuck.</summary>
    public static readonly TimeSpan StuckAfter = TimeSpan.FromMinutes(2);

    public DateTimeOffset Now { get; private set; }
    public int HorizonMinutes => options.Value.AttentionHorizonMinutes;
    public IReadOnlyList<(string Title, string Id, string? Status, IReadOnlyList<RequestRecord> Rows)> Lists { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        Now = clock.GetUtcNow();
        async Task<IReadOnlyList<RequestRecord>> Status(string status, DateTimeOffset? before = null) =>
            (await queries.QueryAsync(new RequestQuery { Status = status, To = before, PageSize = PerList }, ct)).Items;
        Lists =
        [
            ($"Deadline within {HorizonMinutes} minutes, not finished", "at-risk", null, await queries.DeadlineBeforeAsync(Now.AddMinutes(HorizonMinutes), PerList, ct)),
            ("Retrying", "retrying", RequestStatuses.RetryScheduled, await Status(RequestStatuses.RetryScheduled)),
            ("Dead letters: failed", "failed", RequestStatuses.Failed, await Status(RequestStatuses.Failed)),
            ("Dead letters: timed out", "timed-out", RequestStatuses.TimedOut, await Status(RequestStatuses.TimedOut)),
            ("Callback unconfirmed", "unconfirmed", RequestStatuses.CallbackUnconfirmed, await Status(RequestStatuses.CallbackUnconfirmed)),
            ($"Not picked up for {StuckAfter.TotalMinutes:0} minutes", "stuck", RequestStatuses.Received, await Status(RequestStatuses.Received, Now - StuckAfter)),
        ];
    }
}
