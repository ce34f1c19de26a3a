using ExternalAction.Store.Lifecycle;

namespace ExternalAction.Store.Tests.Lifecycle;

/// <summary>
/// An operator's replay as the store makes it, on every provider: only from Failed or TimedOut, with the new deadline and
/// the operator's note recorded; a delivered request without a kept report only when a re-delivery is asked for, which
/// then clears what made the engine skip the delivery.
/// </summary>
[TestFixtureSource(typeof(StatusStoreTests), nameof(StatusStoreTests.Providers))]
public sealed class ReplayStoreTests(string provider) : StoreSuite(provider)
{
    private static readonly DateTimeOffset T0 = new(2026, 10, 5, 7, 0, 0, TimeSpan.Zero);

    private async Task<string> EndedAsync(string status, DateTimeOffset? deliveredAt = null, string? callbackBody = null)
    {
        var row = new NewRequest
        {
            RequestId = $"replay-{Guid.NewGuid():N}", ActionName = "replay", ActionVersion = "1", EntityType = "lead", LeadId = "1",
            ReceivedAt = T0, DeadlineAt = T0.AddMinutes(5), RequestPayload = "{}",
        };
        var owner = $"owner-{Guid.NewGuid():N}";
        Assert.That((await Store.ClaimAsync(row, owner, T0, TimeSpan.FromMinutes(1), default)).Claimed, Is.True);
        Assert.That(await Store.UpdateAsync(row.RequestId, new StatusUpdate
        {
            Status = status, DeliveredAt = deliveredAt, DeliveryStatusCode = deliveredAt is null ? null : 200, CallbackBody = callbackBody,
            LastError = "ended", AttemptCount = 1,
        }, owner, default), Is.True);
        return row.RequestId;
    }

    [TestCase(RequestStatuses.Failed)]
    [TestCase(RequestStatuses.TimedOut)]
    public async Task A_failed_or_timed_out_request_goes_back_to_received_with_the_new_deadline_and_the_note(string status)
    {
        var id = await EndedAsync(status, deliveredAt: T0, callbackBody: """{"kept":true}""");
        var deadline = T0.AddHours(2);

        Assert.That(await Store.ReplayAsync(id, deadline, redeliver: false, "replayed by alice: channel fixed", default), Is.True);

        var row = (await Queries.GetAsync(id, default))!;
        Assert.That(row.Status, Is.EqualTo(RequestStatuses.Received));
        Assert.That(row.DeadlineAt, Is.EqualTo(deadline));
        Assert.That(row.CallbackBody, Is.EqualTo("""{"kept":true}"""), "the kept report is resent, not rebuilt");
        Assert.That(row.DeliveredAt, Is.EqualTo(T0), "the delivery stays recorded: it is not repeated");
        Assert.That(row.LeaseOwner, Is.Null);
        var last = (await Queries.GetTransitionsAsync(id, default))[^1];
        Assert.That((last.FromStatus, last.ToStatus, last.Detail), Is.EqualTo((status, RequestStatuses.Received, "replayed by alice: channel fixed")));
    }

    [TestCase(RequestStatuses.CallbackSent)]
    [TestCase(RequestStatuses.Completed)]
    [TestCase(RequestStatuses.CallbackUnconfirmed)]
    public async Task A_request_that_ended_otherwise_is_not_replayed(string status)
    {
        var id = await EndedAsync(status);
        var before = await Queries.GetTransitionsAsync(id, default);

        Assert.That(await Store.ReplayAsync(id, T0.AddHours(2), redeliver: true, "replayed", default), Is.False);

        Assert.That((await Queries.GetAsync(id, default))!.Status, Is.EqualTo(status));
        Assert.That(await Queries.GetTransitionsAsync(id, default), Has.Count.EqualTo(before.Count));
    }

    [Test]
    public async Task A_delivered_request_with_no_report_kept_is_replayed_only_when_a_redelivery_is_asked_for()
    {
        var id = await EndedAsync(RequestStatuses.Failed, deliveredAt: T0);

        Assert.That(await Store.ReplayAsync(id, T0.AddHours(2), redeliver: false, "replayed", default), Is.False, "that would deliver again");
        Assert.That((await Queries.GetAsync(id, default))!.Status, Is.EqualTo(RequestStatuses.Failed));

        Assert.That(await Store.ReplayAsync(id, T0.AddHours(2), redeliver: true, "replayed with re-delivery", default), Is.True);
        var row = (await Queries.GetAsync(id, default))!;
        Assert.That((row.Status, row.DeliveredAt, row.CallbackBody), Is.EqualTo((RequestStatuses.Received, (DateTimeOffset?)null, (string?)null)));
    }

    [Test]
    public async Task A_replayed_request_is_claimed_again()
    {
        var id = await EndedAsync(RequestStatuses.TimedOut);
        Assert.That(await Store.ReplayAsync(id, T0.AddHours(2), redeliver: false, "replayed", default), Is.True);
        var row = new NewRequest
        {
            RequestId = id, ActionName = "replay", ActionVersion = "1", EntityType = "lead", ReceivedAt = T0, DeadlineAt = T0.AddHours(2),
        };
        var claim = await Store.ClaimAsync(row, "after-replay", T0.AddMinutes(10), TimeSpan.FromMinutes(1), default);
        Assert.That(claim.Claimed, Is.True);
        Assert.That(claim.Record.AttemptCount, Is.EqualTo(1), "attempts keep counting");
    }
}
