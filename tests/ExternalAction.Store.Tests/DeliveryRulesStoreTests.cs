using ExternalAction.Store.Rules;

namespace ExternalAction.Store.Tests;

/// <summary>The suppression list (audited) and frequency caps counted atomically across instances, on every provider.</summary>
[TestFixtureSource(typeof(StatusStoreTests), nameof(StatusStoreTests.Providers))]
public sealed class DeliveryRulesStoreTests(string provider) : StoreSuite(provider)
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);

    private static string Key() => $"action:sms|contact:{Guid.NewGuid():N}";

    [Test]
    public async Task Twenty_concurrent_deliveries_to_one_contact_take_exactly_the_cap()
    {
        var key = Key();
        // Twenty instances, each with its own pool, racing for a cap of 3.
        var stores = Enumerable.Range(0, 20).Select(_ => Fixture.NewRules()).ToList();
        var results = await Task.WhenAll(stores.Select((s, i) => Task.Run(() => s.ReserveAsync(key, $"req-{i}", 3, T0.AddHours(-24), T0, default))));

        Assert.That(results.Count(r => r.Allowed), Is.EqualTo(3));
        Assert.That(await Fixture.ScalarAsync($"SELECT COUNT(*) FROM delivery_caps WHERE cap_key = '{key}'"), Is.EqualTo(3));
    }

    [Test]
    public async Task A_retried_delivery_of_the_same_request_keeps_its_slot_and_counts_once()
    {
        var key = Key();
        Assert.That((await Fixture.Rules.ReserveAsync(key, "req-a", 1, T0.AddHours(-24), T0, default)).Allowed, Is.True);
        Assert.That((await Fixture.Rules.ReserveAsync(key, "req-a", 1, T0.AddHours(-24), T0.AddMinutes(5), default)).Allowed, Is.True, "the same request again");
        Assert.That((await Fixture.Rules.ReserveAsync(key, "req-b", 1, T0.AddHours(-24), T0.AddMinutes(6), default)).Allowed, Is.False, "another request: full");
    }

    [Test]
    public async Task A_slot_is_free_again_once_the_window_has_passed_or_it_is_given_back()
    {
        var key = Key();
        await Fixture.Rules.ReserveAsync(key, "req-1", 1, T0.AddHours(-24), T0, default);
        Assert.That((await Fixture.Rules.ReserveAsync(key, "req-2", 1, T0.AddHours(-23), T0.AddHours(1), default)).Allowed, Is.False);
        Assert.That((await Fixture.Rules.ReserveAsync(key, "req-2", 1, T0.AddMinutes(1), T0.AddHours(24).AddMinutes(1), default)).Allowed, Is.True, "24 h later");

        var other = Key();
        await Fixture.Rules.ReserveAsync(other, "req-1", 1, T0.AddHours(-24), T0, default);
        await Fixture.Rules.ReleaseAsync(other, "req-1", default);
        Assert.That((await Fixture.Rules.ReserveAsync(other, "req-2", 1, T0.AddHours(-24), T0, default)).Allowed, Is.True, "given back");
    }

    [Test]
    public async Task The_suppression_list_is_found_by_kind_and_address_and_every_change_is_audited()
    {
        var phone = $"+1415555{Random.Shared.Next(1000, 9999)}";
        Assert.That(await Fixture.Rules.AddAsync("sms", phone, "STOP reply", "ops@example.com", T0, default), Is.True);
        Assert.That(await Fixture.Rules.AddAsync("sms", phone, "again", "ops@example.com", T0.AddMinutes(1), default), Is.False, "already listed");

        var found = await Fixture.Rules.FindAsync([("email", "x@example.com"), ("sms", phone)], default);
        Assert.That((found?.Kind, found?.Address, found?.Reason, found?.CreatedBy), Is.EqualTo(("sms", phone, "STOP reply", "ops@example.com")));
        Assert.That(await Fixture.Rules.FindAsync([("email", phone)], default), Is.Null, "another kind does not match");

        Assert.That(await Fixture.Rules.RemoveAsync("sms", phone, "customer opted back in", "lead@example.com", T0.AddHours(1), default), Is.True);
        Assert.That(await Fixture.Rules.RemoveAsync("sms", phone, "twice", "lead@example.com", T0.AddHours(2), default), Is.False);
        Assert.That(await Fixture.Rules.FindAsync([("sms", phone)], default), Is.Null);

        var history = await Fixture.Rules.HistoryAsync("sms", phone, default);
        Assert.That(history.Select(h => (h.Change, h.ChangedBy, h.Reason)), Is.EqualTo(new[]
        {
            ("added", "ops@example.com", (string?)"STOP reply"), ("added-again", "ops@example.com", "again"), ("removed", "lead@example.com", "customer opted back in"),
        }));
    }

    [Test]
    public async Task The_list_pages_by_kind_and_address()
    {
        var kind = "email";
        var prefix = $"page-{Guid.NewGuid():N}";
        foreach (var i in Enumerable.Range(0, 5))
            await Fixture.Rules.AddAsync(kind, $"{prefix}-{i}@example.com", null, "import", T0, default);

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await Fixture.Rules.ListAsync(kind, 2, cursor, default);
            Assert.That(page.Items, Has.Count.LessThanOrEqualTo(2));
            seen.AddRange(page.Items.Select(s => s.Address).Where(a => a.StartsWith(prefix, StringComparison.Ordinal)));
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        Assert.That(seen, Is.EqualTo(Enumerable.Range(0, 5).Select(i => $"{prefix}-{i}@example.com")));
    }
}
