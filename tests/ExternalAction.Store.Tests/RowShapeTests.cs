namespace ExternalAction.Store.Tests;

/// <summary>
/// One row shape on every provider: the migrated table has exactly the columns of <see cref="RequestColumns"/>, times
/// go in as unix milliseconds and come back as the same instants, and the callback-outcome flag is a column of its own.
/// </summary>
[TestFixtureSource(typeof(StatusStoreTests), nameof(StatusStoreTests.Providers))]
public sealed class RowShapeTests(string provider) : StoreSuite(provider)
{
    private static readonly DateTimeOffset T0 = new(2026, 9, 1, 14, 30, 15, 123, TimeSpan.FromHours(2));

    private static NewRequest Row() => new()
    {
        RequestId = $"shape-{Guid.NewGuid():N}", ActionName = "shape", ActionVersion = "1", EntityType = "lead", LeadId = "1",
        ReceivedAt = T0, DeadlineAt = T0.AddHours(1), RequestPayload = "{}",
    };

    [Test]
    public async Task The_table_has_exactly_the_columns_the_store_reads_and_writes() =>
        Assert.That(await Fixture.RequestColumnsAsync(), Is.EquivalentTo(RequestColumns.All));

    [Test]
    public async Task Times_are_stored_as_unix_milliseconds_and_read_back_as_the_same_instants()
    {
        var row = Row();
        await Store.ClaimAsync(row, "owner", T0, TimeSpan.FromMinutes(1), default);
        await Store.UpdateAsync(row.RequestId, new StatusUpdate { Status = RequestStatuses.RetryScheduled, NextAttemptAt = T0.AddSeconds(5) }, "owner", default);

        Assert.That(await Fixture.ScalarAsync($"SELECT received_at FROM action_requests WHERE request_id = '{row.RequestId}'"), Is.EqualTo(T0.ToUnixTimeMilliseconds()));
        Assert.That(await Fixture.ScalarAsync($"SELECT next_attempt_at FROM action_requests WHERE request_id = '{row.RequestId}'"), Is.EqualTo(T0.AddSeconds(5).ToUnixTimeMilliseconds()));
        Assert.That(await Fixture.ScalarAsync($"SELECT at FROM action_request_transitions WHERE request_id = '{row.RequestId}' AND from_status IS NULL"),
            Is.EqualTo(T0.ToUnixTimeMilliseconds()), "the claim's time, as the claim inserted the row");
        var record = (await Queries.GetAsync(row.RequestId, default))!;
        Assert.That(record.ReceivedAt, Is.EqualTo(T0));
        Assert.That(record.ReceivedAt.Offset, Is.EqualTo(TimeSpan.Zero), "read back in UTC");
        Assert.That(record.NextAttemptAt, Is.EqualTo(T0.AddSeconds(5)));
        Assert.That(record.LeaseUntil, Is.Null);
        Assert.That((await Queries.GetTransitionsAsync(row.RequestId, default))[0].At, Is.EqualTo(T0));
    }

    [Test]
    public async Task The_callback_outcome_unknown_flag_is_kept_until_an_update_sets_it()
    {
        var row = Row();
        Assert.That((await Store.ClaimAsync(row, "first", T0, TimeSpan.FromMinutes(1), default)).Record.CallbackOutcomeUnknown, Is.False);
        await Store.UpdateAsync(row.RequestId, new StatusUpdate
        {
            Status = RequestStatuses.RetryScheduled, CallbackResult = "outcome unknown: timeout", CallbackOutcomeUnknown = true,
        }, "first", default);

        var retry = await Store.ClaimAsync(row, "second", T0.AddSeconds(5), TimeSpan.FromMinutes(1), default);
        Assert.That(retry.Record.CallbackOutcomeUnknown, Is.True, "the next attempt reads it from the claimed row");
        Assert.That(retry.Record.CallbackResult, Is.EqualTo("outcome unknown: timeout"), "the text for support stays as it was");

        await Store.UpdateAsync(row.RequestId, new StatusUpdate { Status = RequestStatuses.Processing, Detail = "a step that leaves it", ReleaseLease = false }, "second", default);
        Assert.That((await Queries.GetAsync(row.RequestId, default))!.CallbackOutcomeUnknown, Is.True);

        await Store.UpdateAsync(row.RequestId, new StatusUpdate { Status = RequestStatuses.RetryScheduled, CallbackResult = "HTTP 503", CallbackOutcomeUnknown = false }, "second", default);
        Assert.That((await Queries.GetAsync(row.RequestId, default))!.CallbackOutcomeUnknown, Is.False);
    }

    [Test]
    public async Task An_update_writes_the_columns_it_sets_and_keeps_every_other_as_it_was()
    {
        // Each update runs a statement of its own shape (UpdateShape): only the columns it sets are in it.
        var row = Row();
        await Store.ClaimAsync(row, "first", T0, TimeSpan.FromMinutes(1), default);
        Assert.That(await Store.UpdateAsync(row.RequestId, new StatusUpdate
        {
            Status = RequestStatuses.RetryScheduled, Detail = "every column", AttemptCount = 3, NextAttemptAt = T0.AddSeconds(5),
            DeliveredAt = T0.AddSeconds(1), DeliveryStatusCode = 202, DeliveryDurationMs = 17, AccessorValues = """{"a":1}""",
            AccessorRejections = "[]", SelectedPathId = "gold", Route = "vip", CallbackStatusCode = 503, CallbackResult = "HTTP 503",
            CallbackOutcomeUnknown = true, CallbackBody = "{}", Outcome = "delivered", LastError = "callback 503",
        }, "first", default), Is.True);
        var written = (await Queries.GetAsync(row.RequestId, default))!;
        Assert.That(written.SelectedPathId, Is.EqualTo("gold"));
        Assert.That(written.LeaseOwner, Is.Null, "released by default");

        await Store.ClaimAsync(row, "second", T0.AddSeconds(6), TimeSpan.FromMinutes(1), default);
        Assert.That(await Store.UpdateAsync(row.RequestId,
            new StatusUpdate { Status = RequestStatuses.Processing, LastError = "one column", ReleaseLease = false }, "second", default), Is.True);
        var narrow = (await Queries.GetAsync(row.RequestId, default))!;
        Assert.That(narrow.LastError, Is.EqualTo("one column"));
        Assert.That(narrow.LeaseOwner, Is.EqualTo("second"), "a lease not released stays");
        Assert.That(narrow with { LastError = written.LastError, Status = written.Status, LeaseOwner = null, LeaseUntil = null, UpdatedAt = written.UpdatedAt },
            Is.EqualTo(written), "every column the update did not set, the next attempt among them, is as the first update left it");

        Assert.That(await Store.UpdateAsync(row.RequestId, new StatusUpdate
        {
            Status = RequestStatuses.RetryScheduled, NextAttemptAt = T0.AddSeconds(9), ClearNextAttempt = true,
        }, "second", default), Is.True);
        var cleared = (await Queries.GetAsync(row.RequestId, default))!;
        Assert.That(cleared.NextAttemptAt, Is.Null, "clearing wins over a next attempt given with it");
        Assert.That(cleared.LeaseOwner, Is.Null);
        Assert.That(cleared.AttemptCount, Is.EqualTo(3));
    }

    [Test]
    public async Task Rows_written_before_the_flag_existed_take_it_from_the_callback_result_prefix()
    {
        if (Provider == StoreProviders.SqlServer)
            Assert.Ignore("The SQL Server database is given, shared by runs and already migrated: no older schema to start from.");
        await using var older = await StoreFixture.CreateAsync(Provider, migrate: false);
        var scripts = Migrations.Scripts(Provider);
        // Every script but 0004 (0005 and later are independent of it), so today's insert works on the older shape.
        foreach (var (_, sql) in scripts.Where(s => !s.Version.StartsWith("0004", StringComparison.Ordinal)))
            await older.ExecuteAsync(sql);
        var unknown = Row();
        var known = Row();
        await older.Store.InsertReceivedAsync([unknown, known], default);
        await older.ExecuteAsync($"UPDATE action_requests SET callback_result = 'outcome unknown: timeout after 10 s' WHERE request_id = '{unknown.RequestId}'");
        await older.ExecuteAsync($"UPDATE action_requests SET callback_result = 'HTTP 503' WHERE request_id = '{known.RequestId}'");

        await older.ExecuteAsync(scripts.Single(s => s.Version.StartsWith("0004", StringComparison.Ordinal)).Sql);

        Assert.That((await older.Queries.GetAsync(unknown.RequestId, default))!.CallbackOutcomeUnknown, Is.True);
        Assert.That((await older.Queries.GetAsync(known.RequestId, default))!.CallbackOutcomeUnknown, Is.False);
    }

    [Test]
    public async Task Rows_written_before_contracts_existed_are_B2B_rows()
    {
        if (Provider == StoreProviders.SqlServer)
            Assert.Ignore("The SQL Server database is given, shared by runs and already migrated: no older schema to start from.");
        await using var older = await StoreFixture.CreateAsync(Provider, migrate: false);
        var scripts = Migrations.Scripts(Provider);
        foreach (var (_, sql) in scripts.Where(s => string.CompareOrdinal(s.Version, "0005") < 0))
            await older.ExecuteAsync(sql);
        var id = $"req-{Guid.NewGuid():N}";
        // The row as a release before 0005 wrote it: no contract column yet.
        await older.ExecuteAsync("INSERT INTO action_requests (request_id, action_name, action_version, entity_type, lead_id, received_at, deadline_at, status, created_at, updated_at)"
            + $" VALUES ('{id}', 'lead-scoring', '1', 'lead', '42', 1, 2, 'Received', 1, 1)");

        foreach (var (_, sql) in scripts.Where(s => string.CompareOrdinal(s.Version, "0005") >= 0))
            await older.ExecuteAsync(sql);

        var row = (await older.Queries.GetAsync(id, default))!;
        Assert.That(row.Contract, Is.EqualTo("ajo-b2b"));
        Assert.That((row.ContactKey, row.JourneyInstanceId, row.ActivityId), Is.EqualTo(((string?)null, (string?)null, (string?)null)));
        Assert.That((await older.Queries.QueryAsync(new RequestQuery { Contract = "ajo-b2b", EntityId = "42" }, default)).Items.Select(r => r.RequestId), Is.EqualTo(new[] { id }));
    }

    [Test]
    public async Task A_row_of_another_contract_is_found_by_its_contact_key_contract_and_journey_instance()
    {
        var contact = Row() with { Contract = "sfmc", EntityType = "contact", LeadId = null, ContactKey = $"contact-{Guid.NewGuid():N}", JourneyId = "jb-1", JourneyInstanceId = $"dii-{Guid.NewGuid():N}", ActivityId = "act-1" };
        var lead = Row() with { LeadId = contact.ContactKey }; // a B2B row whose lead id happens to equal the contact key
        await Store.InsertReceivedAsync([contact, lead], default);

        var stored = (await Queries.GetAsync(contact.RequestId, default))!;
        Assert.That((stored.Contract, stored.EntityType, stored.ContactKey, stored.JourneyInstanceId, stored.ActivityId),
            Is.EqualTo(("sfmc", "contact", contact.ContactKey, contact.JourneyInstanceId, "act-1")));
        async Task<string[]> Find(RequestQuery q) => [.. (await Queries.QueryAsync(q, default)).Items.Select(r => r.RequestId).Order()];
        Assert.That(await Find(new RequestQuery { EntityId = contact.ContactKey }), Is.EquivalentTo(new[] { contact.RequestId, lead.RequestId }));
        Assert.That(await Find(new RequestQuery { EntityId = contact.ContactKey, Contract = "sfmc" }), Is.EqualTo(new[] { contact.RequestId }));
        Assert.That(await Find(new RequestQuery { JourneyInstanceId = contact.JourneyInstanceId }), Is.EqualTo(new[] { contact.RequestId }));
        Assert.That(await Find(new RequestQuery { EntityId = contact.ContactKey, Contract = "ajo-b2b" }), Is.EqualTo(new[] { lead.RequestId }));
    }
}
