using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ExternalAction.Store.Tests;

/// <summary>AddStatusStore in a real host: configuration checked at start, migrations run before the host is up.</summary>
public sealed class StoreServiceCollectionExtensionsTests
{
    private string _file = null!;

    [SetUp]
    public void NewFile() => _file = Path.Combine(Path.GetTempPath(), $"store-host-{Guid.NewGuid():N}.db");

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
        // Twice, as a host composing the Api and the Processor may: the second call adds nothing.
        builder.Services.AddStatusStore();
        builder.Services.AddStatusStore();
        return builder.Build();
    }

    [Test]
    public void An_unknown_provider_stops_the_start_naming_the_key()
    {
        using var host = Host(new() { ["ExternalAction:Store:Provider"] = "oracle" });
        var error = Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.That(error!.Message, Does.Contain("ExternalAction:Store:Provider"));
    }

    [TestCase("Writers", "17")]
    [TestCase("MaxCalls", "0")]
    [TestCase("GatherMs", "-1")]
    [TestCase("GatherMs", "101")]
    public void A_group_commit_setting_out_of_range_stops_the_start_naming_the_section(string key, string value)
    {
        using var host = Host(new() { [$"ExternalAction:Store:GroupCommit:{key}"] = value });
        var error = Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.That(error!.Message, Does.Contain("ExternalAction:Store:GroupCommit").And.Contain(key));
    }

    [Test]
    public async Task Starting_the_host_migrates_the_database()
    {
        using var host = Host([]);
        await host.StartAsync();
        var store = host.Services.GetRequiredService<StatusStore>();
        Assert.That(store.Provider, Is.EqualTo(StoreProviders.Sqlite));
        Assert.That((await host.Services.GetRequiredService<StatusQueries>().QueryAsync(new RequestQuery(), default)).Items, Is.Empty);
        await host.StopAsync();
    }

    [Test]
    public async Task Without_MigrateOnStart_the_schema_is_left_alone()
    {
        using var host = Host(new() { ["ExternalAction:Store:MigrateOnStart"] = "false" });
        await host.StartAsync();
        var queries = host.Services.GetRequiredService<StatusQueries>();
        Assert.ThrowsAsync<SqliteException>(() => queries.QueryAsync(new RequestQuery(), default));
        await host.StopAsync();
    }
}
