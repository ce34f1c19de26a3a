using ExternalAction.Bench.EndToEnd;

namespace ExternalAction.Bench.Tests;

public sealed class OutcomeAccountingTests
{
    private static LedgerEntry Acked(string id, int callbacks) => new($"tok-{id}", id, callbacks, RequestIdMismatch: false, ReportedFailure: false);

    [Test]
    public void Without_the_status_table_a_request_is_settled_by_one_callback()
    {
        var summary = OutcomeAccounting.Account([Acked("r1", 1), Acked("r2", 0)], statuses: null);

        Assert.That(summary.Acknowledged, Is.EqualTo(2));
        Assert.That(summary.Settled, Is.EqualTo(1));
        Assert.That(summary.Lost, Is.EqualTo(1));
        Assert.That(summary.LostBy, Is.EqualTo(new Dictionary<string, long> { ["no callback"] = 1 }));
        Assert.That(summary.StatusChecked, Is.False);
        Assert.That(summary.Clean, Is.False);
    }

    [Test]
    public void An_acknowledged_request_needs_a_final_row_and_a_callback()
    {
        var statuses = new Dictionary<string, string>
        {
            ["ok"] = "CallbackSent",
            ["stuck"] = "Processing",
            ["silent"] = "CallbackSent",
            ["waiting"] = "RetryScheduled",
        };
        var summary = OutcomeAccounting.Account([Acked("ok", 1), Acked("stuck", 1), Acked("silent", 0), Acked("norow", 1), Acked("waiting", 0)], statuses);

        Assert.That(summary.Settled, Is.EqualTo(1));
        Assert.That(summary.Lost, Is.EqualTo(4));
        Assert.That(summary.LostBy, Is.EqualTo(new Dictionary<string, long>
        {
            ["not final (Processing)"] = 1,
            ["not final (RetryScheduled)"] = 1,
            ["CallbackSent but no callback seen"] = 1,
            ["no row in the status table"] = 1,
        }));
        Assert.That(summary.States["(no row)"], Is.EqualTo(1));
        Assert.That(summary.States["CallbackSent"], Is.EqualTo(2));
    }

    [TestCase("CallbackUnconfirmed")]
    [TestCase("Failed")]
    [TestCase("TimedOut")]
    public void A_documented_failure_state_is_an_outcome_without_a_callback(string state)
    {
        var summary = OutcomeAccounting.Account([Acked("r1", 0)], new Dictionary<string, string> { ["r1"] = state });

        Assert.That(summary.Lost, Is.Zero);
        Assert.That(summary.Settled, Is.EqualTo(1));
        Assert.That(summary.Clean, Is.True);
    }

    [Test]
    public void More_than_one_callback_is_a_duplicate_and_the_extra_copies_are_counted()
    {
        var summary = OutcomeAccounting.Account([Acked("r1", 3), Acked("r2", 2), Acked("r3", 1)], statuses: null);

        Assert.That(summary.Duplicated, Is.EqualTo(2));
        Assert.That(summary.ExtraCallbacks, Is.EqualTo(3));
        Assert.That(summary.Lost, Is.Zero);
        Assert.That(summary.Clean, Is.False);
    }

    [Test]
    public void Requests_not_answered_200_are_never_lost_but_their_callbacks_are_counted()
    {
        LedgerEntry[] entries = [new("t1", null, 1, false, false), new("t2", null, 0, false, false), Acked("r3", 1)];

        var summary = OutcomeAccounting.Account(entries, statuses: null, unknownTokenCallbacks: 4);

        Assert.That(summary.Acknowledged, Is.EqualTo(1));
        Assert.That(summary.Lost, Is.Zero);
        Assert.That(summary.CallbacksForUnacknowledged, Is.EqualTo(1));
        Assert.That(summary.UnknownTokenCallbacks, Is.EqualTo(4));
    }

    [Test]
    public void A_request_id_mismatch_makes_the_accounting_unclean()
    {
        var summary = OutcomeAccounting.Account([new("t", "r", 1, RequestIdMismatch: true, ReportedFailure: false)], statuses: null);

        Assert.That(summary.Lost, Is.Zero);
        Assert.That(summary.RequestIdMismatches, Is.EqualTo(1));
        Assert.That(summary.Clean, Is.False);
    }

    [Test]
    public async Task Settling_waits_within_the_grace_period_for_late_callbacks_and_rows()
    {
        var ledger = new CallbackLedger();
        ledger.Sent("a", 0);
        ledger.Acknowledged("a", "req-a");
        var source = new FakeStatusSource();
        _ = Task.Run(async () =>
        {
            await Task.Delay(300);
            ledger.Callback("a", "req-a", success: true, 1);
            await Task.Delay(300);
            source.Statuses["req-a"] = "CallbackSent";
        });

        var summary = await OutcomeAccounting.SettleAsync(ledger, source, grace: TimeSpan.FromSeconds(10), lateDuplicates: TimeSpan.Zero, poll: TimeSpan.FromMilliseconds(50));

        Assert.That(summary.Lost, Is.Zero);
        Assert.That(summary.Settled, Is.EqualTo(1));
        Assert.That(source.Asked.Last(), Is.EquivalentTo(new[] { "req-a" }));
    }

    [Test]
    public async Task Settling_gives_up_after_the_grace_period_and_reports_the_lost()
    {
        var ledger = new CallbackLedger();
        ledger.Sent("a", 0);
        ledger.Acknowledged("a", "req-a");
        var source = new FakeStatusSource { Statuses = { ["req-a"] = "Processing" } };

        var summary = await OutcomeAccounting.SettleAsync(ledger, source, grace: TimeSpan.FromMilliseconds(300), lateDuplicates: TimeSpan.Zero, poll: TimeSpan.FromMilliseconds(50));

        Assert.That(summary.Lost, Is.EqualTo(1));
        Assert.That(summary.LostBy.Keys, Is.EquivalentTo(new[] { "not final (Processing)" }));
    }

    [Test]
    public async Task Final_rows_are_not_read_again()
    {
        var ledger = new CallbackLedger();
        foreach (var token in new[] { "a", "b" })
        {
            ledger.Sent(token, 0);
            ledger.Acknowledged(token, $"req-{token}");
            ledger.Callback(token, $"req-{token}", success: true, 1);
        }
        var source = new FakeStatusSource { Statuses = { ["req-a"] = "CallbackSent", ["req-b"] = "Processing" } };
        _ = Task.Run(async () =>
        {
            await Task.Delay(200);
            source.Statuses["req-b"] = "CallbackSent";
        });

        var summary = await OutcomeAccounting.SettleAsync(ledger, source, grace: TimeSpan.FromSeconds(10), lateDuplicates: TimeSpan.Zero, poll: TimeSpan.FromMilliseconds(50));

        Assert.That(summary.Settled, Is.EqualTo(2));
        Assert.That(source.Asked[0], Is.EquivalentTo(new[] { "req-a", "req-b" }));
        Assert.That(source.Asked.Skip(1), Has.All.EquivalentTo(new[] { "req-b" }));
    }

    private sealed class FakeStatusSource : IStatusSource
    {
        public System.Collections.Concurrent.ConcurrentDictionary<string, string> Statuses { get; } = new();
        public List<string[]> Asked { get; } = [];

        public Task<IReadOnlyDictionary<string, string>> StatusesAsync(IReadOnlyCollection<string> requestIds, CancellationToken ct)
        {
            lock (Asked)
                Asked.Add([.. requestIds]);
            IReadOnlyDictionary<string, string> found = requestIds.Where(Statuses.ContainsKey).ToDictionary(id => id, id => Statuses[id]);
            return Task.FromResult(found);
        }
    }

    [Test]
    public void A_Failed_row_without_a_reason_is_an_outcome_only_with_its_callback()
    {
        var statuses = new Dictionary<string, string>
        {
            ["silent"] = OutcomeAccounting.StateOf("Failed", lastError: null),
            ["called"] = OutcomeAccounting.StateOf("Failed", lastError: " "),
            ["explained"] = OutcomeAccounting.StateOf("Failed", lastError: "unreadable message: '{' is an invalid start of a property name"),
        };
        var summary = OutcomeAccounting.Account([Acked("silent", 0), Acked("called", 1), Acked("explained", 0)], statuses);

        Assert.That(summary.Settled, Is.EqualTo(2));
        Assert.That(summary.LostBy, Is.EqualTo(new Dictionary<string, long> { ["Failed without a reason and no callback"] = 1 }));
    }

    [Test]
    public void The_support_view_gives_the_state_with_its_reason()
    {
        Assert.That(SupportApiStatusSource.StatusOf("""{"request":{"status":"Failed","lastError":null},"transitions":[]}"""),
            Is.EqualTo(OutcomeAccounting.FailedWithoutReason));
        Assert.That(SupportApiStatusSource.StatusOf("""{"request":{"status":"Failed","lastError":"callback refused: 400"}}"""), Is.EqualTo("Failed"));
        Assert.That(SupportApiStatusSource.StatusOf("""{"status":"CallbackSent"}"""), Is.EqualTo("CallbackSent"));
    }
}
