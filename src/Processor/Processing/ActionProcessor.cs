using ExternalAction.Actions;
using ExternalAction.Contracts.Messaging;
using ExternalAction.Processor.Callbacks;
using System.Text.Json.Nodes;
using ExternalAction.Processor.Outbound;
using ExternalAction.Processor.Delivery;
using ExternalAction.Processor.Engine;
using ExternalAction.Processor.Retries;
using ExternalAction.Processor.Rules;
using ExternalAction.Store;
using MassTransit;
using Microsoft.Extensions.Options;

namespace ExternalAction.Processor.Processing;

/// <summary>
/// One attempt at one request, whatever its contract: claim it, deliver to the channel (once), let the contract's
/// <see cref="IOutcomeReporter"/> turn the answers into the next step (report, retry, end), send its report (B2B: the
/// callback), and record every step. The contract's <see cref="IContractAdapter"/> gives the row and the template model. Transient failures are rescheduled
/// through <see cref="IRetryScheduler"/> until the deadline; permanent ones end the request. The status row is the
/// source of truth across attempts, so a duplicate message (platform retry, broker redelivery, retry copy) never
/// delivers or calls back twice. Returns what became of the message; nothing here throws to end a request. Store calls
/// run through <see cref="StoreOutage"/>: a database outage is waited out, never an ending.
/// </summary>
public sealed class ActionProcessor(
    ActionCatalog catalog,
    StatusStore store,
    StoreOutage outage,
    ChannelDelivery delivery,
    ContractRegistry contracts,
    DeliveryGate gate,
    IRetryScheduler retries,
    IOptions<ProcessorOptions> options,
    IOptions<CallbackOptions> callbackOptions,
    TimeProvider clock,
    ILogger<ActionProcessor> logger)
{
    public async Task<ProcessingResult> ProcessAsync(ConsumeContext<ActionAccepted> context)
    {
        var message = context.Message;
        var ct = context.CancellationToken;
        var action = catalog.Find(message.ActionName) ?? throw new UnknownActionException(message.ActionName);
        var now = clock.GetUtcNow();

        // A retry copy that came back before its time (delay longer than the largest wait tier) goes round again.
        if (message.NotBefore is { } notBefore && notBefore - now > TimeSpan.FromMilliseconds(500))
        {
            await retries.ScheduleAsync(context, message, notBefore - now);
            return ProcessingResult.Rescheduled;
        }

        var owner = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";
        var channelSeconds = action.AllChannels().Max(c => c.Channel.TimeoutSeconds);
        var lease = TimeSpan.FromSeconds(channelSeconds + callbackOptions.Value.TimeoutSeconds + options.Value.LeaseMarginSeconds);
        var adapter = contracts.Adapter(message);
        var row = adapter.Row(message);
        // The clock is read inside: a claim that waited out a store outage still gets its whole lease.
        var claim = await outage.RunAsync(t => store.ClaimAsync(row, owner, clock.GetUtcNow(), lease, t), ct);
        now = clock.GetUtcNow();
        var record = claim.Record;
        if (!claim.Claimed)
            return await NotClaimedAsync(context, record, row, now);

        // From the claim on, the attempt no longer follows the broker's token. MassTransit cancels the consume context
        // of every message in flight when its connection drops (a node stopped, a network cut): a delivery or a
        // callback cut there may already have reached its destination, its outcome would go unrecorded, and the
        // redelivered copy would send it again after the lease. Every HTTP exchange has its own timeout and every store
        // call the outage budget, so an attempt still ends by itself; the copy the broker redelivers then finds the
        // request final (or leased) and sends nothing.
        ct = CancellationToken.None;

        var attempt = record.AttemptCount + 1;
        Step step;
        if (!contracts.Knows(message))
            return await ActAsync(context, record, owner, attempt, new Step.End(RequestStatuses.Failed, ContractRegistry.UnknownContract(message)));
        var reporter = contracts.Reporter(message);
        if (now >= message.Deadline)
            step = new Step.End(RequestStatuses.TimedOut, "the deadline passed before processing");
        else if (record.CallbackBody is { } stored)
            step = Withholding.Final(await ReportAsync(reporter, action, message, record, attempt, stored, ct), record.Outcome);
        else
        {
            step = await DeliverAsync(adapter, reporter, action, message, attempt, ct);
            if (step is Step.Report report)
            {
                // Recorded before the report: a restarted Processor sends this same body and never delivers again.
                await outage.RunAsync(t => store.UpdateAsync(record.RequestId, report.Update, owner, t), ct);
                if (report.FailureReason is not null)
                    logger.LogInformation("Request {RequestId}: {Reason}; reporting the failure.", record.RequestId, report.FailureReason);
                // The reporter reads the row as this update left it (the body and the delivery's outcome it reports).
                var reported = record with { CallbackBody = report.Body, Outcome = report.Update.Outcome ?? record.Outcome };
                step = Withholding.Final(await ReportAsync(reporter, action, message, reported, attempt, report.Body, ct), report.Update.Outcome);
            }
        }
        return await ActAsync(context, record, owner, attempt, step);
    }

    /// <summary>
    /// The delivery rules (<see cref="DeliveryGate"/>: route, suppression, send window, caps), then the channel, then the
    /// reporter's decision. A suppressed or capped request is reported like a request with nothing to deliver, marked
    /// with its verdict (<see cref="Withholding"/>); a deferred one waits for its send window.
    /// </summary>
    private async Task<Step> DeliverAsync(IContractAdapter adapter, IOutcomeReporter reporter, ActionDefinition action, ActionAccepted message, int attempt, CancellationToken ct)
    {
        OutboundResult delivered;
        if (action.Rules.IsEmpty)
        {
            delivered = await delivery.DeliverAsync(action, message, () => adapter.TemplateModel(message, action), ct);
            ProcessorMetrics.Delivered(action.Name, delivered);
        }
        else
        {
            JsonObject model;
            Verdict verdict;
            var now = clock.GetUtcNow();
            try
            {
                model = adapter.TemplateModel(message, action);
                verdict = await outage.RunAsync(t => gate.DecideAsync(action, message, model, now, t), ct);
            }
            catch (Exception e) when (e is not (OperationCanceledException or System.Data.Common.DbException or StoreUnavailableException))
            {
                // The rules read this request's data (conditions, address, contact): the same data fails the same way.
                delivered = new OutboundResult { Failure = FailureKind.Permanent, Error = $"the delivery rules could not be applied to this request's data: {e.GetType().Name}: {LogText.Clean(e.Message)}" };
                return reporter.AfterDelivery(action, message, delivered, attempt, clock.GetUtcNow());
            }
            switch (verdict)
            {
                case Verdict.Defer defer:
                    return new Step.Wait(defer.Until - now, defer.Until, new StatusUpdate
                    {
                        Status = RequestStatuses.Deferred,
                        Detail = defer.Reason,
                        NextAttemptAt = defer.Until,
                        Route = defer.Route,
                    });
                case Verdict.TooLate late:
                    return new Step.End(RequestStatuses.TimedOut, late.Reason);
                case Verdict.Withheld withheld:
                    delivered = new OutboundResult { Failure = FailureKind.None, Verdict = withheld.Kind, Error = withheld.Reason, Route = withheld.Route };
                    break;
                case Verdict.Deliver deliver:
                    action = deliver.Routed;
                    delivered = await delivery.DeliverAsync(action, message, () => model, ct) with { Route = deliver.Route };
                    ProcessorMetrics.Delivered(action.Name, delivered);
                    if (delivered.Failure == FailureKind.Permanent)
                        await outage.RunAsync(t => gate.ReleaseAsync(deliver, message.RequestId, t), ct);
                    break;
                default:
                    throw new InvalidOperationException($"Verdict {verdict.GetType().Name} has no action."); // a bug: the gate returns one of the above
            }
        }
        var step = delivered.Failure == FailureKind.Transient
            ? Decisions.DeliveryRetry(delivered)
            : reporter.AfterDelivery(action, message, delivered, attempt, clock.GetUtcNow());
        return Withholding.Mark(step, delivered);
    }

    private async Task<Step> ReportAsync(IOutcomeReporter reporter, ActionDefinition action, ActionAccepted message, RequestRecord record, int attempt, string body, CancellationToken ct)
    {
        if (clock.GetUtcNow() >= message.Deadline)
            return new Step.End(RequestStatuses.TimedOut, "the deadline passed before the outcome could be reported");
        var sent = await reporter.SendAsync(action, message, body, ct);
        ProcessorMetrics.Reported(action.Name, message.Contract, sent);
        return reporter.AfterReport(action, record, sent, attempt);
    }

    /// <summary>Does what a step decided that is not the callback itself: reschedule, finish, or end the request.</summary>
    private async Task<ProcessingResult> ActAsync(ConsumeContext<ActionAccepted> context, RequestRecord record, string owner, int attempt, Step step)
    {
        var ct = CancellationToken.None; // a claimed attempt records its step whatever happens to the broker connection (ProcessAsync)
        if (step is Step.Retry retry)
            step = Decisions.Reschedule(retry, attempt, clock.GetUtcNow(), context.Message.Deadline, options.Value);
        switch (step)
        {
            case Step.Wait wait:
                await outage.RunAsync(t => store.UpdateAsync(record.RequestId, wait.Update, owner, t), ct);
                await retries.ScheduleAsync(context, context.Message with { NotBefore = wait.NextAttemptAt }, wait.Delay);
                if (wait.Update.Status == RequestStatuses.RetryScheduled)
                    ProcessorMetrics.Rescheduled(record.ActionName);
                return ProcessingResult.Rescheduled;
            case Step.Done done:
                if (await outage.RunAsync(t => store.UpdateAsync(record.RequestId, done.Update, owner, t), ct))
                    ProcessorMetrics.Final(record.ActionName, context.Message.Contract, done.Update.Status);
                return ProcessingResult.Completed;
            case Step.End end:
                var ending = await WithEndingReportAsync(context.Message, record, end, Decisions.Ending(end));
                if (await outage.RunAsync(t => store.UpdateAsync(record.RequestId, ending, owner, t), ct))
                {
                    ProcessorMetrics.Final(record.ActionName, context.Message.Contract, end.Status);
                    ProcessorMetrics.DeadLettered(record.ActionName, end.Status);
                }
                logger.LogWarning("Request {RequestId} ended {Status}: {Reason}", record.RequestId, end.Status, end.Reason);
                return ProcessingResult.Ended(end.Status, end.Reason);
            default:
                throw new InvalidOperationException($"Step {step.GetType().Name} has no action."); // a bug: every path above ends in one of these
        }
    }

    /// <summary>
    /// Tells the contract's receiver about an ending it has not heard of (AJO's status webhook; see
    /// <see cref="IOutcomeReporter.EndingReport"/>), once, before the ending is recorded; what it answered goes into the
    /// ending's update. A crash between the two sends it again on the next attempt, like any report.
    /// </summary>
    private async Task<StatusUpdate> WithEndingReportAsync(ActionAccepted message, RequestRecord record, Step.End end, StatusUpdate ending)
    {
        if (end.Reported || !contracts.Knows(message) || catalog.Find(message.ActionName) is not { } action)
            return ending;
        var reporter = contracts.Reporter(message);
        if (reporter.EndingReport(action, message, record, end, clock.GetUtcNow()) is not { } body)
            return ending;
        var sent = await reporter.SendAsync(action, message, body, CancellationToken.None);
        ProcessorMetrics.Reported(action.Name, message.Contract, sent);
        return ending with
        {
            Detail = sent.Failure == FailureKind.None
                ? $"{ending.Detail}; the ending was reported (HTTP {sent.StatusCode})"
                : $"{ending.Detail}; the ending could not be reported: {sent.Error}",
            CallbackBody = body,
            CallbackStatusCode = sent.StatusCode,
            CallbackResult = sent.Failure == FailureKind.None ? "accepted" : Decisions.FailedReport(sent),
            CallbackOutcomeUnknown = sent.OutcomeUnknown,
        };
    }

    /// <summary>Another copy holds the row, or it is final, or it belongs to a first copy with other content.</summary>
    private async Task<ProcessingResult> NotClaimedAsync(ConsumeContext<ActionAccepted> context, RequestRecord record, NewRequest row, DateTimeOffset now)
    {
        if (record.RequestHash is { } first && first != row.RequestHash)
        {
            // The first accepted copy is the truth: a resubmission with another body or callbackUrl is a duplicate
            // (the platform got the same requestId) and never changes what is sent or where.
            logger.LogInformation("Request {RequestId}: a later copy with different content was dropped; the first accepted request is processed.", record.RequestId);
            return ProcessingResult.Dropped;
        }
        if (RequestStatuses.IsFinal(record.Status))
        {
            logger.LogDebug("Request {RequestId} is already {Status}; duplicate message dropped.", record.RequestId, record.Status);
            return ProcessingResult.Dropped;
        }
        // Another worker holds it (or it changed under us). If that worker died, its lease expires; look again then, so
        // nothing is ever stranded by dropping a message for an unfinished request.
        var until = record.LeaseUntil is { } leasedUntil && leasedUntil > now ? leasedUntil : now;
        logger.LogDebug("Request {RequestId} is {Status} and not claimable now; checking again at {Until}.", record.RequestId, record.Status, until);
        await retries.ScheduleAsync(context, context.Message with { NotBefore = until.AddSeconds(1) }, until - now + TimeSpan.FromSeconds(1));
        return ProcessingResult.Rescheduled;
    }
}

/// <summary>What became of one message: the consumer acts on it (an ended request's message goes to <c>_error</c>).</summary>
public sealed record ProcessingResult
{
    public static readonly ProcessingResult Completed = new() { Kind = ProcessingKind.Completed };
    public static readonly ProcessingResult Rescheduled = new() { Kind = ProcessingKind.Rescheduled };
    public static readonly ProcessingResult Dropped = new() { Kind = ProcessingKind.Dropped };

    public required ProcessingKind Kind { get; init; }
    public string? Status { get; init; }
    public string? Reason { get; init; }

    public static ProcessingResult Ended(string status, string reason) => new() { Kind = ProcessingKind.Ended, Status = status, Reason = reason };
}

public enum ProcessingKind
{
    /// <summary>Final and reported to the platform.</summary>
    Completed,
    /// <summary>Comes back later (a retry, or another worker's lease to wait out).</summary>
    Rescheduled,
    /// <summary>A duplicate copy of a request that is final or belongs to its first copy.</summary>
    Dropped,
    /// <summary>Final without word to the platform (deadline, refused callback): its message goes to <c>_error</c>.</summary>
    Ended,
}
