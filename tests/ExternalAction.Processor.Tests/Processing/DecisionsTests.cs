using System.Text.Json.Nodes;
using ExternalAction.Actions;
using ExternalAction.Processor.Outbound;
using ExternalAction.Processor.Processing;
using ExternalAction.Store;
using ExternalAction.TestSupport;
using Microsoft.Extensions.Time.Testing;
using static ExternalAction.Processor.Tests.TestMessages;

namespace ExternalAction.Processor.Tests.Processing;

/// <summary>
/// The lifecycle's decisions without I/O: every outcome of a delivery and of a callback, the crash window (a stored
/// callback body, an earlier attempt whose fate is unknown) and the deadline edges, with a fake clock.
/// </summary>
public sealed class DecisionsTests
{
    private static readonly FakeTimeProvider Clock = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
    private static readonly ProcessorOptions Options = new() { RetryBaseSeconds = 1, RetryMaxSeconds = 60 };

    private static ActionDefinition Scoring() => Action("lead-scoring.json",
        accessors: new() { ["leadScore"] = Response("$.score"), ["readyToBuy"] = Constant(true) });

    private static OutboundResult Answer(FailureKind failure, int? status = null, string? body = null, bool unknown = false, TimeSpan? retryAfter = null) => new()
    {
        Failure = failure,
        StatusCode = status,
        Duration = TimeSpan.FromMilliseconds(12),
        ResponseBody = body,
        Error = failure == FailureKind.None ? null : status is { } s ? $"HTTP {s}" : "connection error (ConnectionError)",
        OutcomeUnknown = unknown,
        RetryAfter = retryAfter,
    };

    private static RequestRecord Record(string? callbackResult = null) => new()
    {
        CallbackOutcomeUnknown = callbackResult?.StartsWith(Decisions.OutcomeUnknown, StringComparison.Ordinal) == true,
        RequestId = "req-test",
        ActionName = "test",
        ActionVersion = "1",
        EntityType = "lead",
        Status = RequestStatuses.Processing,
        CallbackResult = callbackResult,
    };

    [Test]
    public void A_delivered_message_is_reported_with_its_accessor_values_and_path()
    {
        var step = Decisions.AfterDelivery(Scoring(), For(SampleRequests.Lead()), Answer(FailureKind.None, 200, """{"score":91}"""), 1, Clock.GetUtcNow());

        var report = (Step.Report)step;
        Assert.That(report.Update.Status, Is.EqualTo(RequestStatuses.Processing), "still ours until the platform took the callback");
        Assert.That(report.Update.Outcome, Is.EqualTo("Succeeded"));
        Assert.That(report.Update.DeliveredAt, Is.EqualTo(Clock.GetUtcNow()));
        Assert.That(report.Update.SelectedPathId, Is.EqualTo("hot"));
        Assert.That(report.Update.CallbackBody, Is.Not.Null, "stored before the callback: the crash window never delivers twice");
        Assert.That(report.Update.ReleaseLease, Is.False);
        Assert.That(JsonNode.Parse(report.Update.AccessorValues!)!["leadScore"]!.GetValue<long>(), Is.EqualTo(91));
        Assert.That(Callback(report).ObjectData[0].ActivityData.Success, Is.True);
        Assert.That(report.FailureReason, Is.Null);
    }

    [Test]
    public void A_transient_delivery_failure_is_a_retry_that_records_the_channel_status()
    {
        var step = Decisions.AfterDelivery(Scoring(), For(SampleRequests.Lead()), Answer(FailureKind.Transient, 503), 2, Clock.GetUtcNow());

        var retry = (Step.Retry)step;
        Assert.That(retry.StepName, Is.EqualTo("delivery"));
        Assert.That(retry.Update.Status, Is.EqualTo(RequestStatuses.RetryScheduled));
        Assert.That(retry.Update.DeliveryStatusCode, Is.EqualTo(503));
        Assert.That(retry.Update.CallbackBody, Is.Null, "nothing to report yet");
    }

    [Test]
    public void A_permanent_delivery_refusal_is_reported_as_a_business_failure()
    {
        var step = Decisions.AfterDelivery(Scoring(), For(SampleRequests.Lead()), Answer(FailureKind.Permanent, 400), 1, Clock.GetUtcNow());

        var report = (Step.Report)step;
        Assert.That(report.Update.Outcome, Is.EqualTo("BusinessFailure"));
        Assert.That(report.Update.LastError, Does.Contain("rejected the message").And.Contain("400"));
        Assert.That(Callback(report).ObjectData[0].ActivityData.Success, Is.False);
        Assert.That(Callback(report).ObjectData[0].ActivityData.ErrorCode, Is.EqualTo("EXTERNAL_API_ERROR"));
        Assert.That(report.Update.AccessorValues, Is.Null, "no values from a refused delivery");
    }

    [Test]
    public void A_request_that_could_not_be_built_is_reported_as_a_business_failure_saying_so()
    {
        var built = Answer(FailureKind.Permanent) with { StatusCode = null, Error = "header 'X-Journey' contains a line break (CR or LF)" };

        var report = (Step.Report)Decisions.AfterDelivery(Scoring(), For(SampleRequests.Lead()), built, 1, Clock.GetUtcNow());

        Assert.That(report.Update.LastError, Does.Contain("could not be built").And.Contain("X-Journey"));
        Assert.That(report.FailureReason, Is.Not.Null);
    }

    [Test]
    public void An_accepted_callback_ends_the_request_sent()
    {
        var done = (Step.Done)Decisions.AfterCallback(Record(), Answer(FailureKind.None, 200), 1);

        Assert.That(done.Update.Status, Is.EqualTo(RequestStatuses.CallbackSent));
        Assert.That(done.Update.CallbackResult, Is.EqualTo("accepted"));
        Assert.That(done.Update.ClearNextAttempt, Is.True);
    }

    [Test]
    public void A_callback_whose_fate_is_unknown_is_retried_and_says_so()
    {
        var retry = (Step.Retry)Decisions.AfterCallback(Record(), Answer(FailureKind.Transient, unknown: true), 1);

        Assert.That(retry.Update.Status, Is.EqualTo(RequestStatuses.RetryScheduled));
        Assert.That(retry.Update.CallbackResult, Does.StartWith(Decisions.OutcomeUnknown));
        Assert.That(retry.Update.CallbackOutcomeUnknown, Is.True, "the decision reads the column, not the text");
    }

    [Test]
    public void A_token_refused_after_an_unknown_attempt_is_most_likely_delivered()
    {
        var done = (Step.Done)Decisions.AfterCallback(Record($"{Decisions.OutcomeUnknown}: timed out"), Answer(FailureKind.Permanent, 400), 2);

        Assert.That(done.Update.Status, Is.EqualTo(RequestStatuses.CallbackUnconfirmed));
    }

    [TestCase(400)]
    [TestCase(403)]
    public void A_callback_refused_for_good_ends_the_request_failed(int status)
    {
        var end = (Step.End)Decisions.AfterCallback(Record(), Answer(FailureKind.Permanent, status), 1);

        Assert.That(end.Status, Is.EqualTo(RequestStatuses.Failed));
        var update = Decisions.Ending(end);
        Assert.That(update.Status, Is.EqualTo(RequestStatuses.Failed));
        Assert.That(update.CallbackStatusCode, Is.EqualTo(status));
        Assert.That(update.LastError, Does.Contain("callback refused"));
    }

    [Test]
    public void A_retry_before_the_deadline_waits_for_its_delay_and_records_when()
    {
        var now = Clock.GetUtcNow();
        var retry = new Step.Retry("delivery", Answer(FailureKind.Transient, 503, retryAfter: TimeSpan.FromSeconds(7)), new StatusUpdate { Status = RequestStatuses.RetryScheduled });

        var wait = (Step.Wait)Decisions.Reschedule(retry, 1, now, now.AddMinutes(1), Options);

        Assert.That(wait.Delay, Is.InRange(TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(7.25)), "Retry-After is honoured, plus up to 250 ms of jitter");
        Assert.That(wait.NextAttemptAt, Is.EqualTo(now + wait.Delay));
        Assert.That(wait.Update.NextAttemptAt, Is.EqualTo(wait.NextAttemptAt));
        Assert.That(wait.Update.AttemptCount, Is.EqualTo(1));
        Assert.That(wait.Update.LastError, Is.EqualTo("delivery failed: HTTP 503"));
    }

    [TestCase(6, TestName = "A_retry_that_would_start_after_the_deadline_ends_the_request_timed_out")]
    [TestCase(7, TestName = "A_retry_that_would_start_exactly_at_the_deadline_ends_the_request_timed_out")]
    public void A_retry_at_or_past_the_deadline_ends_timed_out(int deadlineSeconds)
    {
        var now = Clock.GetUtcNow();
        var retry = new Step.Retry("callback", Answer(FailureKind.Transient, 500, retryAfter: TimeSpan.FromSeconds(7)),
            new StatusUpdate { Status = RequestStatuses.RetryScheduled, CallbackStatusCode = 500 });

        var end = (Step.End)Decisions.Reschedule(retry, 3, now, now.AddSeconds(deadlineSeconds), Options);

        Assert.That(end.Status, Is.EqualTo(RequestStatuses.TimedOut));
        Assert.That(end.Reason, Does.Contain("callback failed").And.Contain("deadline"));
        var update = Decisions.Ending(end);
        Assert.That(update.CallbackStatusCode, Is.EqualTo(500), "what the failed step learned is kept");
        Assert.That(update.ClearNextAttempt, Is.True);
    }

    [Test]
    public void A_retry_due_just_before_the_deadline_still_waits()
    {
        var now = Clock.GetUtcNow();
        var retry = new Step.Retry("delivery", Answer(FailureKind.Transient, 503, retryAfter: TimeSpan.FromSeconds(7)), new StatusUpdate { Status = RequestStatuses.RetryScheduled });

        // Retry-After 7 s plus at most 250 ms of jitter is due before a deadline 7.25 s and one tick away.
        Assert.That(Decisions.Reschedule(retry, 1, now, now.AddSeconds(7.25).AddTicks(1), Options), Is.TypeOf<Step.Wait>());
    }

    /// <summary>The B2B callback a report step will send (the body is kept as the JSON the reporter sends).</summary>
    private static Contracts.Callbacks.CallbackRequest Callback(Step.Report report) =>
        System.Text.Json.JsonSerializer.Deserialize<Contracts.Callbacks.CallbackRequest>(report.Body, Contracts.Json.ContractJson.Options)!;
}
