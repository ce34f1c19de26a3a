namespace ExternalAction.Store.Tests;

/// <summary>SQLite keeps freed pages in its file unless the database was created for incremental vacuum (finding 16).</summary>
public sealed class SqliteRetentionTests
{
    [Test]
    public async Task A_new_SQLite_file_gives_the_space_of_purged_payloads_back()
    {
        await using var fixture = await StoreFixture.CreateAsync(StoreProviders.Sqlite);
        var store = fixture.Store;
        var received = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var payload = new string('x', 240_000);
        var rows = Enumerable.Range(0, 40).Select(i => new NewRequest
        {
            RequestId = $"big-{i}", ActionName = "a", ActionVersion = "1", EntityType = "lead", LeadId = "1",
            ReceivedAt = received, DeadlineAt = received.AddHours(1), RequestPayload = payload,
        }).ToList();
        await store.InsertReceivedAsync(rows, default);
        foreach (var row in rows)
        {
            await store.ClaimAsync(row, "owner", received, TimeSpan.FromMinutes(1), default);
            await store.UpdateAsync(row.RequestId, new StatusUpdate { Status = RequestStatuses.CallbackSent, CallbackBody = payload }, "owner", default);
        }
        var before = await PagesAsync(fixture);

        var result = await store.PurgeAsync(received.AddDays(1), null, 500, default);

        Assert.That(result.PayloadsCleared, Is.EqualTo(40));
        Assert.That(await fixture.ScalarAsync("PRAGMA auto_vacuum"), Is.EqualTo(2), "created as INCREMENTAL");
        Assert.That(await fixture.ScalarAsync("PRAGMA freelist_count"), Is.Zero, "no free page left in the file");
        Assert.That(await PagesAsync(fixture), Is.LessThan(before / 10), "about 19 MB of payloads gone from the file");
    }

    private static Task<long> PagesAsync(StoreFixture fixture) => fixture.ScalarAsync("PRAGMA page_count");
}
