using ExternalAction.Bench.EndToEnd;

namespace ExternalAction.Bench.Tests;

public sealed class CallbackLedgerTests
{
    [Test]
    public void A_callback_is_matched_to_its_request_by_token_and_timed_from_the_send()
    {
        var ledger = new CallbackLedger();
        ledger.Sent("a", 100);
        ledger.Sent("b", 100);
        ledger.Acknowledged("a", "req-a");
        ledger.Acknowledged("b", "req-b");

        Assert.That(ledger.Callback("b", "req-b", success: true, 175), Is.EqualTo(75));
        Assert.That(ledger.Callback("a", "req-a", success: true, 350), Is.EqualTo(250));
        var entries = ledger.Snapshot().ToDictionary(e => e.Token);
        Assert.That(entries["a"], Is.EqualTo(new LedgerEntry("a", "req-a", 1, RequestIdMismatch: false, ReportedFailure: false)));
        Assert.That(entries["b"].Callbacks, Is.EqualTo(1));
    }

    [Test]
    public void A_second_callback_is_counted_but_gives_no_latency_sample()
    {
        var ledger = new CallbackLedger();
        ledger.Sent("a", 100);
        ledger.Acknowledged("a", "req-a");

        Assert.That(ledger.Callback("a", "req-a", success: true, 200), Is.EqualTo(100));
        Assert.That(ledger.Callback("a", "req-a", success: true, 300), Is.Null);
        Assert.That(ledger.Snapshot().Single().Callbacks, Is.EqualTo(2));
    }

    [Test]
    public void A_warm_up_request_is_accounted_but_gives_no_latency_sample()
    {
        var ledger = new CallbackLedger();
        ledger.Sent("w", 100, measured: false);
        ledger.Acknowledged("w", "req-w");

        Assert.That(ledger.Callback("w", "req-w", success: true, 200), Is.Null);
        Assert.That(ledger.Snapshot().Single().Callbacks, Is.EqualTo(1));
        Assert.That(ledger.AwaitingCallback, Is.Zero);
    }

    [Test]
    public void A_callback_with_a_token_never_sent_is_counted_apart()
    {
        var ledger = new CallbackLedger();
        ledger.Sent("a", 100);

        Assert.That(ledger.Callback("stranger", null, success: true, 200), Is.Null);
        Assert.That(ledger.UnknownTokenCallbacks, Is.EqualTo(1));
        Assert.That(ledger.Snapshot().Single().Callbacks, Is.Zero);
    }

    [Test]
    public void Only_requests_answered_200_are_acknowledged_and_awaited()
    {
        var ledger = new CallbackLedger();
        ledger.Sent("a", 0);
        ledger.Sent("b", 0);
        ledger.Sent("c", 0);
        ledger.Acknowledged("a", "req-a");
        ledger.Acknowledged("b", "req-b");
        ledger.Callback("b", "req-b", success: true, 10);

        Assert.That(ledger.AcknowledgedCount, Is.EqualTo(2));
        Assert.That(ledger.AwaitingCallback, Is.EqualTo(1), "a is acknowledged and not yet called back; c was never acknowledged");
    }

    [Test]
    public void A_callback_carrying_another_request_id_is_flagged_whichever_arrives_first()
    {
        var ledger = new CallbackLedger();
        ledger.Sent("before", 0);
        ledger.Sent("after", 0);
        ledger.Sent("fine", 0);
        ledger.Acknowledged("before", "req-1");
        ledger.Callback("before", "req-2", success: true, 10);
        ledger.Callback("after", "req-3", success: true, 10); // overtakes its 200
        ledger.Acknowledged("after", "req-4");
        ledger.Callback("fine", "req-5", success: true, 10);
        ledger.Acknowledged("fine", "req-5");

        var flagged = ledger.Snapshot().Where(e => e.RequestIdMismatch).Select(e => e.Token);
        Assert.That(flagged, Is.EquivalentTo(new[] { "before", "after" }));
    }

    [Test]
    public void A_callback_reporting_success_false_is_remembered()
    {
        var ledger = new CallbackLedger();
        ledger.Sent("a", 0);
        ledger.Callback("a", null, success: false, 10);

        Assert.That(ledger.Snapshot().Single().ReportedFailure, Is.True);
    }
}
