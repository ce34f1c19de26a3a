namespace ExternalAction.Store.Tests;

/// <summary>The same behaviour suite on every provider: SQLite, PostgreSQL (real server) and SQL Server when configured.</summary>
[TestFixtureSource(nameof(Providers))]
public sealed class StatusStoreTests(string provider) : StoreSuite(provider)
{
    public static readonly string[] Providers = [StoreProviders.Sqlite, StoreProviders.Postgres, StoreProviders.SqlServer];

    private static readonly DateTimeOffset T0 = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    private static NewRequest Row(string? id = null, string action = "lead-scoring", string? lead = "12345", string? account = null,
        string? people = null, string? journey = "journey-1", DateTimeOffset? received = null) => new()
    {
        RequestId = id ?? $"req-{Guid.NewGuid():N}",
        ActionName = action,
        ActionVersion = "1",
        EntityType = people is null ? (account is null ? "lead" : "account") : "accountPerson",
        LeadId = lead,
        AccountId = account,
        PersonIds = people,
        JourneyId = journey,
        JourneyName = "Welcome",
        ImsOrgId = "12345@AdobeOrg",
        ReceivedAt = received ?? T0,
        DeadlineAt = (received ?? T0).AddHours(1),
        RequestPayload = """{"objectData":{}}""",
    };

    [Test]
    public async Task Migrating_again_changes_nothing()
    {
        var row = Row();
        await Store.InsertReceivedAsync([row], default);
        var applied = await Fixture.ScalarAsync("SELECT COUNT(*) FROM schema_migrations");
        await Store.MigrateAsync(default);
        Assert.That(applied, Is.EqualTo(Migrations.Scripts(Provider).Count));
        Assert.That(await Fixture.ScalarAsync("SELECT COUNT(*) FROM schema_migrations"), Is.EqualTo(applied));
        Assert.That(await Queries.GetAsync(row.RequestId, default), Is.Not.Null);
    }

    [Test]
    public async Task Hosts_starting_together_apply_each_migration_once()
    {
        await using var fresh = await StoreFixture.CreateAsync(Provider, migrate: false);
        // Separate stores have separate connection pools, like separate processes.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => fresh.NewStore().MigrateAsync(default))));
        Assert.That(await fresh.ScalarAsync("SELECT COUNT(*) FROM schema_migrations"), Is.EqualTo(Migrations.Scripts(Provider).Count));
        var row = Row();
        Assert.That(await fresh.Store.InsertReceivedAsync([row], default), Is.EqualTo(1));
    }

    [Test]
    public async Task Bulk_insert_skips_rows_that_exist()
    {
        var a = Row();
        var b = Row();
        Assert.That(await Store.InsertReceivedAsync([a], default), Is.EqualTo(1));
        Assert.That(await Store.InsertReceivedAsync([a, b], default), Is.EqualTo(1));
        var record = await Queries.GetAsync(b.RequestId, default);
        Assert.That(record!.Status, Is.EqualTo(RequestStatuses.Received));
        Assert.That(record.ReceivedAt, Is.EqualTo(T0));
        Assert.That(record.JourneyName, Is.EqualTo("Welcome"));
        Assert.That(await Queries.GetTransitionsAsync(a.RequestId, default), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_claim_before_the_recorder_inserts_the_row_and_the_recorder_then_skips_it()
    {
        var row = Row();
        var claim = await Store.ClaimAsync(row, "owner-1", T0, TimeSpan.FromMinutes(1), default);
        Assert.That(claim.Claimed, Is.True);
        Assert.That(claim.Record.Status, Is.EqualTo(RequestStatuses.Processing));
        Assert.That(await Store.InsertReceivedAsync([row], default), Is.Zero);
        Assert.That((await Queries.GetAsync(row.RequestId, default))!.Status, Is.EqualTo(RequestStatuses.Processing));
    }

    [Test]
    public async Task A_large_batch_is_inserted_in_chunks_with_one_history_entry_per_row()
    {
        var rows = Enumerable.Range(0, 250).Select(_ => Row()).ToList();
        var existing = rows[117];
        await Store.InsertReceivedAsync([existing], default);
        // A redelivered message can put the same id twice in one batch.
        Assert.That(await Store.InsertReceivedAsync([.. rows, rows[3]], default), Is.EqualTo(249));
        foreach (var row in new[] { rows[0], rows[99], rows[100], existing, rows[249] })
        {
            var history = await Queries.GetTransitionsAsync(row.RequestId, default);
            Assert.That(history.Select(h => (h.FromStatus, h.ToStatus)), Is.EqualTo(new (string?, string)[] { (null, "Received") }), row.RequestId);
        }
        var sample = (await Queries.GetAsync(rows[180].RequestId, default))!;
        Assert.That(sample with { CreatedAt = default, UpdatedAt = default }, Is.EqualTo(new RequestRecord
        {
            RequestId = rows[180].RequestId, ActionName = "lead-scoring", ActionVersion = "1", EntityType = "lead", LeadId = "12345",
            JourneyId = "journey-1", JourneyName = "Welcome", ImsOrgId = "12345@AdobeOrg", ReceivedAt = T0, DeadlineAt = T0.AddHours(1),
            RequestPayload = """{"objectData":{}}""", Status = RequestStatuses.Received,
        }));
    }

    [Test]
    public async Task The_recorder_and_the_consumers_racing_on_the_same_ids_record_each_request_once()
    {
        var rows = Enumerable.Range(0, 40).Select(_ => Row()).ToList();
        var recorders = Enumerable.Range(0, 2).Select(r => Task.Run(() => Fixture.NewStore().InsertReceivedAsync(r == 0 ? rows : [.. Enumerable.Reverse(rows)], default)));
        var consumers = rows.Select((row, i) => Task.Run(() => Store.ClaimAsync(row, $"consumer-{i % 3}", DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1), default)));
        var inserted = await Task.WhenAll(recorders);
        var claims = await Task.WhenAll(consumers);
        Assert.That(claims.All(c => c.Claimed), Is.True);
        Assert.That(inserted.Sum(), Is.LessThanOrEqualTo(rows.Count));
        foreach (var row in rows)
        {
            var history = await Queries.GetTransitionsAsync(row.RequestId, default);
            Assert.That(history.Select(h => h.ToStatus), Is.EqualTo(new[] { "Received", "Processing" }), row.RequestId);
        }
    }

    [Test]
    public async Task Concurrent_claims_have_exactly_one_winner()
    {
        var row = Row();
        await Store.InsertReceivedAsync([row], default);
        var claims = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            Task.Run(() => Store.ClaimAsync(row, $"owner-{i}", DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1), default))));
        Assert.That(claims.Count(c => c.Claimed), Is.EqualTo(1));
    }

    [Test]
    public async Task An_expired_lease_can_be_claimed_and_a_live_one_cannot()
    {
        var row = Row();
        Assert.That((await Store.ClaimAsync(row, "first", T0, TimeSpan.FromSeconds(30), default)).Claimed, Is.True);
        Assert.That((await Store.ClaimAsync(row, "second", T0.AddSeconds(10), TimeSpan.FromSeconds(30), default)).Claimed, Is.False);
        var late = await Store.ClaimAsync(row, "second", T0.AddSeconds(31), TimeSpan.FromSeconds(30), default);
        Assert.That(late.Claimed, Is.True);
        Assert.That(late.Record.LeaseOwner, Is.EqualTo("second"));
        Assert.That(late.Record.Status, Is.EqualTo(RequestStatuses.Processing));
        var history = await Queries.GetTransitionsAsync(row.RequestId, default);
        Assert.That(history.Select(h => (h.FromStatus, h.ToStatus, h.Detail)), Is.EqualTo(new (string?, string, string?)[]
        {
            (null, "Received", "accepted and queued"),
            ("Received", "Processing", "claimed for processing"),
            ("Processing", "Processing", "claimed after the previous owner's lease ran out"),
        }), "the refused claim left no history; each claim records the status it left");
    }

    [Test]
    public async Task A_final_row_is_never_claimed_again()
    {
        var row = Row();
        await Store.ClaimAsync(row, "owner", T0, TimeSpan.FromMinutes(1), default);
        await Store.UpdateAsync(row.RequestId, new StatusUpdate { Status = RequestStatuses.CallbackSent, CallbackStatusCode = 200 }, "owner", default);
        var again = await Store.ClaimAsync(row, "other", T0.AddHours(2), TimeSpan.FromMinutes(1), default);
        Assert.That(again.Claimed, Is.False);
        Assert.That(again.Record.Status, Is.EqualTo(RequestStatuses.CallbackSent));
    }

    [Test]
    public async Task A_retry_scheduled_row_can_be_claimed()
    {
        var row = Row();
        await Store.ClaimAsync(row, "owner", T0, TimeSpan.FromMinutes(1), default);
        await Store.UpdateAsync(row.RequestId, new StatusUpdate { Status = RequestStatuses.RetryScheduled, NextAttemptAt = T0.AddSeconds(5), AttemptCount = 1 }, "owner", default);
        var claim = await Store.ClaimAsync(row, "next", T0.AddSeconds(6), TimeSpan.FromMinutes(1), default);
        Assert.That(claim.Claimed, Is.True);
        Assert.That(claim.Record.AttemptCount, Is.EqualTo(1));
        Assert.That(claim.Record.NextAttemptAt, Is.EqualTo(T0.AddSeconds(5)));
    }

    [Test]
    public async Task A_copy_with_other_content_never_claims_the_row_the_first_copy_made()
    {
        var first = Row() with { RequestHash = new string('a', 64) };
        await Store.InsertReceivedAsync([first], default);
        var later = first with { RequestHash = new string('b', 64), RequestPayload = """{"callbackUrl":"https://elsewhere"}""" };

        var refused = await Store.ClaimAsync(later, "later", T0, TimeSpan.FromMinutes(1), default);
        Assert.That(refused.Claimed, Is.False);
        Assert.That(refused.Record.RequestHash, Is.EqualTo(first.RequestHash), "the first copy's content stays the truth");
        Assert.That(refused.Record.Status, Is.EqualTo(RequestStatuses.Received));

        var claimed = await Store.ClaimAsync(first, "first", T0, TimeSpan.FromMinutes(1), default);
        Assert.That(claimed.Claimed, Is.True, "a copy with the same content claims as before");
        Assert.That(claimed.Record.RequestPayload, Is.EqualTo(first.RequestPayload));
    }

    [Test]
    public async Task A_copy_with_other_content_never_claims_a_row_it_did_not_insert_first_either()
    {
        var first = Row() with { RequestHash = new string('a', 64) };
        Assert.That((await Store.ClaimAsync(first, "first", T0, TimeSpan.FromMinutes(1), default)).Claimed, Is.True);
        await Store.UpdateAsync(first.RequestId, new StatusUpdate { Status = RequestStatuses.RetryScheduled, NextAttemptAt = T0.AddSeconds(5), AttemptCount = 1 }, "first", default);

        var later = await Store.ClaimAsync(first with { RequestHash = new string('b', 64) }, "later", T0.AddSeconds(6), TimeSpan.FromMinutes(1), default);

        Assert.That(later.Claimed, Is.False, "waiting for its retry, the row is still only the first copy's");
        Assert.That(later.Record.Status, Is.EqualTo(RequestStatuses.RetryScheduled));
    }

    [Test]
    public async Task An_update_by_another_owner_is_refused()
    {
        var row = Row();
        await Store.ClaimAsync(row, "owner", T0, TimeSpan.FromMinutes(1), default);
        Assert.That(await Store.UpdateAsync(row.RequestId, new StatusUpdate { Status = RequestStatuses.Failed }, "intruder", default), Is.False);
        Assert.That((await Queries.GetAsync(row.RequestId, default))!.Status, Is.EqualTo(RequestStatuses.Processing));
        Assert.That((await Queries.GetTransitionsAsync(row.RequestId, default)).Select(h => h.ToStatus), Is.EqualTo(new[] { "Received", "Processing" }),
            "a refused update records no transition");
        Assert.That(await Store.UpdateAsync(row.RequestId, new StatusUpdate { Status = RequestStatuses.Failed }, "owner", default), Is.True);
    }

    [Test]
    public async Task Updates_set_only_the_given_columns_and_record_the_history()
    {
        var row = Row();
        await Store.ClaimAsync(row, "owner", T0, TimeSpan.FromMinutes(1), default);
        await Store.UpdateAsync(row.RequestId, new StatusUpdate
        {
            Status = RequestStatuses.Processing, Detail = "delivered", DeliveredAt = T0.AddSeconds(1), DeliveryStatusCode = 200,
            DeliveryDurationMs = 12, AccessorValues = """{"leadScore":91}""", SelectedPathId = "hot", CallbackBody = "{}", ReleaseLease = false,
        }, "owner", default);
        await Store.UpdateAsync(row.RequestId, new StatusUpdate { Status = RequestStatuses.CallbackSent, Detail = "called back", CallbackStatusCode = 200, ClearNextAttempt = true }, "owner", default);

        var record = (await Queries.GetAsync(row.RequestId, default))!;
        Assert.That(record.Status, Is.EqualTo(RequestStatuses.CallbackSent));
        Assert.That(record.DeliveryStatusCode, Is.EqualTo(200));
        Assert.That(record.DeliveryDurationMs, Is.EqualTo(12));
        Assert.That(record.SelectedPathId, Is.EqualTo("hot"));
        Assert.That(record.AccessorValues, Is.EqualTo("""{"leadScore":91}"""));
        Assert.That(record.DeliveredAt, Is.EqualTo(T0.AddSeconds(1)));
        Assert.That(record.LeaseOwner, Is.Null);
        var history = await Queries.GetTransitionsAsync(row.RequestId, default);
        Assert.That(history.Select(h => h.ToStatus), Is.EqualTo(new[] { "Received", "Processing", "Processing", "CallbackSent" }));
        Assert.That(history[^1].FromStatus, Is.EqualTo("Processing"));
        Assert.That(history[^1].Detail, Is.EqualTo("called back"));
    }

    [Test]
    public async Task Queries_filter_by_every_criterion()
    {
        var action = $"act-{Guid.NewGuid():N}"[..20];
        var lead = Row(action: action, lead: "555", received: T0.AddMinutes(1));
        var account = Row(action: action, lead: null, account: "777", journey: "journey-x", received: T0.AddMinutes(2));
        var people = Row(action: action, lead: null, account: "888", people: "12345,99999", received: T0.AddMinutes(3));
        await Store.InsertReceivedAsync([lead, account, people], default);
        await Store.ClaimAsync(lead, "o", T0, TimeSpan.FromMinutes(1), default);
        await Store.UpdateAsync(lead.RequestId, new StatusUpdate { Status = RequestStatuses.Failed }, "o", default);

        async Task<string[]> Ids(RequestQuery q) => (await Queries.QueryAsync(q with { Action = action }, default)).Items.Select(i => i.RequestId).ToArray();
        Assert.That(await Ids(new RequestQuery()), Is.EqualTo(new[] { people.RequestId, account.RequestId, lead.RequestId }));
        Assert.That(await Ids(new RequestQuery { Status = RequestStatuses.Failed }), Is.EqualTo(new[] { lead.RequestId }));
        Assert.That(await Ids(new RequestQuery { EntityId = "555" }), Is.EqualTo(new[] { lead.RequestId }));
        Assert.That(await Ids(new RequestQuery { EntityId = "777" }), Is.EqualTo(new[] { account.RequestId }));
        Assert.That(await Ids(new RequestQuery { EntityId = "99999" }), Is.EqualTo(new[] { people.RequestId }));
        Assert.That(await Ids(new RequestQuery { EntityId = "9999" }), Is.Empty, "a person id matches whole ids only");
        Assert.That(await Ids(new RequestQuery { JourneyId = "journey-x" }), Is.EqualTo(new[] { account.RequestId }));
        Assert.That(await Ids(new RequestQuery { From = T0.AddMinutes(2), To = T0.AddMinutes(3) }), Is.EqualTo(new[] { account.RequestId }));
        var people2 = (await Queries.QueryAsync(new RequestQuery { Action = action, EntityId = "12345" }, default)).Items.Single();
        Assert.That(people2.PersonIds, Is.EqualTo("12345,99999"));
            Assert.That(await Ids(new RequestQuery { EntityId = "888", Status = RequestStatuses.Received, JourneyId = "journey-1" }), Is.EqualTo(new[] { people.RequestId }), "filters are AND-ed");
        Assert.That(await Ids(new RequestQuery { EntityId = "888", Status = RequestStatuses.Failed }), Is.Empty, "filters are AND-ed");
    }

    [Test]
    public async Task Wildcards_in_an_entity_id_match_only_themselves()
    {
        var action = $"like-{Guid.NewGuid():N}"[..20];
        var plain = Row(action: action, lead: null, account: "a1", people: "12345,678");
        var odd = Row(action: action, lead: null, account: "a2", people: "1_3,5%7,[9]");
        await Store.InsertReceivedAsync([plain, odd], default);
        async Task<string[]> Ids(string entity) => (await Queries.QueryAsync(new RequestQuery { Action = action, EntityId = entity }, default)).Items.Select(i => i.RequestId).ToArray();
        Assert.That(await Ids("1_3"), Is.EqualTo(new[] { odd.RequestId }));
        Assert.That(await Ids("5%7"), Is.EqualTo(new[] { odd.RequestId }));
        Assert.That(await Ids("[9]"), Is.EqualTo(new[] { odd.RequestId }));
        Assert.That(await Ids("1%5"), Is.Empty);
        Assert.That(await Ids("6_8"), Is.Empty);
    }

    [Test]
    public async Task Paging_walks_every_row_once_in_a_stable_order()
    {
        var action = $"page-{Guid.NewGuid():N}"[..20];
        // Several rows share a received time: the request id breaks the tie.
        var rows = Enumerable.Range(0, 23).Select(i => Row(action: action, received: T0.AddSeconds(i / 3))).ToList();
        await Store.InsertReceivedAsync(rows, default);
        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await Queries.QueryAsync(new RequestQuery { Action = action, PageSize = 5, Cursor = cursor }, default);
            seen.AddRange(page.Items.Select(i => i.RequestId));
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null);
        Assert.That(pages, Is.EqualTo(5));
        Assert.That(seen, Is.Unique);
        var expected = rows.OrderByDescending(r => r.ReceivedAt).ThenByDescending(r => r.RequestId, StringComparer.Ordinal).Select(r => r.RequestId);
        Assert.That(seen, Is.EqualTo(expected));
    }

    [Test]
    public async Task Counts_are_per_action_and_status()
    {
        var action = $"count-{Guid.NewGuid():N}"[..20];
        var rows = Enumerable.Range(0, 4).Select(_ => Row(action: action)).ToList();
        await Store.InsertReceivedAsync(rows, default);
        await Store.ClaimAsync(rows[0], "o", T0, TimeSpan.FromMinutes(1), default);
        var counts = await Queries.CountByStatusAsync(action, null, null, default);
        Assert.That(counts, Is.EquivalentTo(new[] { new StatusCount(action, "Processing", 1), new StatusCount(action, "Received", 3) }));
    }

    [Test]
    public void A_foreign_cursor_is_refused() =>
        Assert.ThrowsAsync<ArgumentException>(() => Queries.QueryAsync(new RequestQuery { Cursor = "not-a-cursor" }, default));
}
