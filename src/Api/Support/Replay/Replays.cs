using System.Globalization;
using ExternalAction.Store;
using ExternalAction.Store.Lifecycle;
using Microsoft.Extensions.Options;

namespace ExternalAction.Api.Support.Replay;

/// <summary>What an operator asks for: who, why, and whether the channel is to be delivered to again.</summary>
public sealed record ReplayOrder(SupportPrincipal By, string Reason, bool Redeliver);

/// <summary>What became of one request's replay: replayed with its new deadline, or refused with the reason.</summary>
public sealed record ReplayOutcome(string RequestId, bool Replayed, string? Refusal = null, DateTimeOffset? Deadline = null, bool Redelivered = false, bool Unknown = false);

/// <summary>
/// An operator's replay of requests that ended Failed or TimedOut, following the lifecycle
/// (<see cref="Mover.Operator"/>): the request's dead-lettered message is found first (the row alone cannot rebuild a
/// work item: its payload is masked and holds no callback token), then the row moves back to Received with a fresh
/// deadline and the operator's note, then the message goes back to the processing queue. A kept report (the callback
/// body) is resent without delivering again; the channel is delivered to again only on an explicit re-delivery.
/// </summary>
public sealed class Replays(StatusQueries queries, StatusStore store, DeadLetters deadLetters, IOptions<SupportOptions> options, TimeProvider clock, ILogger<Replays> logger)
{
    /// <summary>The deadline a replay gets: the replay time plus the request's own time window (its deadline minus its received time).</summary>
    public static DateTimeOffset FreshDeadline(RequestRecord row, DateTimeOffset now)
    {
        var window = row.DeadlineAt - row.ReceivedAt;
        return now + (window > TimeSpan.FromMinutes(1) ? window : TimeSpan.FromMinutes(1));
    }

    /// <summary>Why a request cannot be replayed as it is, or null when it can (the dead letter still to be found).</summary>
    public static string? Refusal(RequestRecord row, bool redeliver)
    {
        if (!RequestStatuses.TryParse(row.Status, out var status) || !RequestLifecycle.Replayable.Contains(status))
        {
            var replayable = string.Join(" or ", RequestLifecycle.Replayable);
            return RequestStatuses.IsFinal(row.Status)
                ? $"the request is {row.Status}: it ended with its outcome reported, and only a {replayable} request is replayed"
                : $"the request is {row.Status}, still on its way: only a {replayable} request is replayed";
        }
        if (row.Outcome == "Unreadable")
            return "its message could not be read by the Processor: a replay would fail the same way";
        if (!redeliver && row.DeliveredAt is not null && row.CallbackBody is null)
            return "the channel already has this request and no report was kept to resend: replaying would deliver it again, which needs an explicit re-delivery";
        return null;
    }

    public async Task<ReplayOutcome> ReplayAsync(string requestId, ReplayOrder order, CancellationToken ct)
    {
        var row = await queries.GetAsync(requestId, ct);
        if (row is null)
            return new ReplayOutcome(requestId, false, "no request with that id", Unknown: true);
        if (Refusal(row, order.Redeliver) is { } refused)
            return new ReplayOutcome(requestId, false, refused);
        if (!deadLetters.Available)
            return new ReplayOutcome(requestId, false, NoBroker);
        var ids = new HashSet<string>(StringComparer.Ordinal) { requestId };
        // The consumer records the end, then faults, then MassTransit moves the message: a request that ended a moment
        // ago may have no dead letter yet. Look a few more times before refusing.
        for (var look = 1; ; look++)
        {
            await using var held = await deadLetters.TakeAsync(ids, ct);
            if (held.Has(requestId) || look == 5 || clock.GetUtcNow() - row.UpdatedAt > TimeSpan.FromSeconds(10))
                return await ReplayHeldAsync(row, held, order, ct);
            await held.DisposeAsync();
            await Task.Delay(TimeSpan.FromMilliseconds(500), clock, ct);
        }
    }

    /// <summary>Replays every Failed or TimedOut request matching <paramref name="filter"/> (up to <c>Replay:MaxBatch</c>), one dead-letter scan for all.</summary>
    public async Task<IReadOnlyList<ReplayOutcome>> ReplayAllAsync(RequestQuery filter, ReplayOrder order, CancellationToken ct)
    {
        var rows = await CandidatesAsync(filter, ct);
        if (rows.Count == 0)
            return [];
        var outcomes = new List<ReplayOutcome>();
        var ready = new List<RequestRecord>();
        foreach (var row in rows)
        {
            if (Refusal(row, order.Redeliver) is { } refused)
                outcomes.Add(new ReplayOutcome(row.RequestId, false, refused));
            else if (!deadLetters.Available)
                outcomes.Add(new ReplayOutcome(row.RequestId, false, NoBroker));
            else
                ready.Add(row);
        }
        if (ready.Count > 0)
        {
            await using var held = await deadLetters.TakeAsync(ready.Select(r => r.RequestId).ToHashSet(StringComparer.Ordinal), ct);
            foreach (var row in ready)
                outcomes.Add(await ReplayHeldAsync(row, held, order, ct));
        }
        return outcomes;
    }

    /// <summary>The requests a "replay all" with this filter would take: Failed and TimedOut ones only, newest first.</summary>
    public async Task<IReadOnlyList<RequestRecord>> CandidatesAsync(RequestQuery filter, CancellationToken ct)
    {
        var max = options.Value.Replay.MaxBatch;
        var rows = new List<RequestRecord>();
        foreach (var status in RequestLifecycle.Replayable)
        {
            if (filter.Status is { } wanted && wanted != status.ToString())
                continue;
            string? cursor = null;
            do
            {
                var page = await queries.QueryAsync(filter with { Status = status.ToString(), PageSize = 500, Cursor = cursor }, ct);
                rows.AddRange(page.Items);
                cursor = page.NextCursor;
            }
            while (cursor is not null && rows.Count < max);
        }
        return rows.OrderByDescending(r => r.ReceivedAt).ThenByDescending(r => r.RequestId, StringComparer.Ordinal).Take(max).ToList();
    }

    private async Task<ReplayOutcome> ReplayHeldAsync(RequestRecord row, HeldDeadLetters held, ReplayOrder order, CancellationToken ct)
    {
        if (!held.Has(row.RequestId))
            return new ReplayOutcome(row.RequestId, false,
                $"its message is not in {DeadLetters.Queue} (moved or purged there, or beyond the first {options.Value.Replay.MaxScan} messages); "
                + "the stored payload is masked and holds no callback token, so the request cannot be rebuilt from its row");
        var now = clock.GetUtcNow();
        var deadline = FreshDeadline(row, now);
        var what = order.Redeliver ? "re-delivery asked for"
            : row.CallbackBody is not null ? "the kept report is resent, the channel is not delivered to again"
            : "never delivered: delivered now";
        var detail = $"replayed by {order.By.Name}: {order.Reason} ({what}; new deadline {deadline.ToString("u", CultureInfo.InvariantCulture)})";
        if (!await store.ReplayAsync(row.RequestId, deadline, order.Redeliver, detail, ct))
            return new ReplayOutcome(row.RequestId, false, "the request changed meanwhile (another replay?); look at it again");
        try
        {
            await held.RequeueAsync(row.RequestId, deadline, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The row says Received and no message is queued: the copy stays in the dead letters; the console lists the request as stuck.
            logger.LogError("Request {RequestId} was moved back to Received but its message could not be requeued ({Error}); it stays in {Queue}.",
                row.RequestId, e.GetType().Name, DeadLetters.Queue);
            throw;
        }
        logger.LogInformation("Request {RequestId} replayed by {Operator} (re-delivery: {Redeliver}).", row.RequestId, order.By.Name, order.Redeliver);
        return new ReplayOutcome(row.RequestId, true, Deadline: deadline, Redelivered: order.Redeliver);
    }

    private const string NoBroker =
        "this deployment runs on the in-memory transport (no RabbitMQ URL), which keeps no dead letters to replay from; "
        + "the stored payload is masked and holds no callback token, so the request cannot be rebuilt from its row";
}
