using ExternalAction.Store.Retention;
using ExternalAction.TestSupport;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ExternalAction.Store.Tests;

/// <summary>The purge as a hosted service (finding 16): settings checked at start, a purge every interval, its counts logged.</summary>
public sealed class RetentionPurgeTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private string _file = null!;
    private readonly FakeTimeProvider _clock = new(Now);
    private readonly LogCapture _logs = new();

    [SetUp]
    public void NewFile() => _file = Path.Combine(Path.GetTempPath(), $"retention-host-{Guid.NewGuid():N}.db");

    [TearDown]
    public void DeleteFile()
    {
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
            File.Delete(_file + suffix);
    }

    private IHost Host(Dictionary<string, string?> settings)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ExternalAction:Store:ConnectionString"] = $"Data Source={_file}" });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.AddProvider(_logs);
        builder.Services.AddSingleton<TimeProvider>(_clock);
        builder.Services.AddStatusRetention();
        builder.Services.AddStatusRetention();
        return builder.Build();
    }

    private static async Task<string> FinalRowAsync(StatusStore store, DateTimeOffset received)
    {
        var row = new NewRequest
        {
            RequestId = $"host-{Guid.NewGuid():N}", ActionName = "a", ActionVersion = "1", EntityType = "lead", LeadId = "1",
            ReceivedAt = received, DeadlineAt = received.AddHours(1), RequestPayload = "{}",
        };
        await store.InsertReceivedAsync([row], default);
        await store.ClaimAsync(row, "owner", received, TimeSpan.FromMinutes(1), default);
        await store.UpdateAsync(row.RequestId, new StatusUpdate { Status = RequestStatuses.CallbackSent, CallbackBody = "{}" }, "owner", default);
        return row.RequestId;
    }

    private async Task<string> LogLineAsync(string contains)
    {
        string? line = null;
        await UntilAsync(() => Task.FromResult((line = _logs.Lines.FirstOrDefault(l => l.Contains(contains, StringComparison.Ordinal))) is not null));
        return line!;
    }

    /// <summary>Waits for the purge (which runs on the host's own task) to have happened; gives up after 20 s.</summary>
    private static async Task UntilAsync(Func<Task<bool>> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!await condition())
            await Task.Delay(20, timeout.Token);
    }

    [Test]
    public async Task Every_interval_the_purge_runs_with_the_configured_ages_and_logs_its_counts_at_Information()
    {
        using var host = Host(new() { ["ExternalAction:Store:Retention:PayloadDays"] = "7", ["ExternalAction:Store:Retention:RowDays"] = "90" });
        await host.StartAsync();
        var store = host.Services.GetRequiredService<StatusStore>();
        var queries = host.Services.GetRequiredService<StatusQueries>();
        var expired = await FinalRowAsync(store, Now.AddDays(-91));
        var aged = await FinalRowAsync(store, Now.AddDays(-8));
        var fresh = await FinalRowAsync(store, Now.AddDays(-6));

        _clock.Advance(TimeSpan.FromMinutes(60));
        var line = await LogLineAsync("Retention purge:");

        Assert.That(line, Does.StartWith("Information"));
        Assert.That(line, Does.Contain("cleared the payloads of 1 final requests").And.Contain("deleted 1 final requests"));
        Assert.That(await queries.GetAsync(expired, default), Is.Null);
        Assert.That((await queries.GetAsync(aged, default))!.RequestPayload, Is.Null);
        Assert.That((await queries.GetAsync(fresh, default))!.RequestPayload, Is.EqualTo("{}"));

        // A day later the row that was fresh is past 7 days too: the next intervals' purges reach it.
        _clock.Advance(TimeSpan.FromDays(1));
        await UntilAsync(async () => (await queries.GetAsync(fresh, default))!.RequestPayload is null);
        await host.StopAsync();
    }

    [Test]
    public async Task With_both_ages_at_zero_the_purge_is_off_and_says_so()
    {
        using var host = Host(new() { ["ExternalAction:Store:Retention:PayloadDays"] = "0", ["ExternalAction:Store:Retention:RowDays"] = "0" });
        await host.StartAsync();
        Assert.That(await LogLineAsync("Retention purge off"), Does.StartWith("Information"));
        await host.StopAsync();
    }

    [Test]
    public void The_defaults_are_generous_and_on() =>
        Assert.That(new RetentionOptions(), Has.Property(nameof(RetentionOptions.PayloadDays)).EqualTo(30)
            .And.Property(nameof(RetentionOptions.RowDays)).EqualTo(365)
            .And.Property(nameof(RetentionOptions.IntervalMinutes)).EqualTo(60)
            .And.Property(nameof(RetentionOptions.BatchSize)).EqualTo(500));

    [TestCase("BatchSize", "0", "BatchSize")]
    [TestCase("BatchSize", "5000", "BatchSize")]
    [TestCase("IntervalMinutes", "0", "IntervalMinutes")]
    [TestCase("RowDays", "-1", "RowDays")]
    public void A_bad_setting_stops_the_start_naming_the_key(string key, string value, string named)
    {
        using var host = Host(new() { [$"ExternalAction:Store:Retention:{key}"] = value });
        var error = Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.That(error!.Message, Does.Contain($"ExternalAction:Store:Retention:{named}"));
    }
}
