namespace ExternalAction.Store.Tests;

/// <summary>
/// One row shape on every provider: the migrated table has exactly the columns of <see cref="RequestColumns"/> and times
/// go in as unix milliseconds and come back as the same instants.
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
}
