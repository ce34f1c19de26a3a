using ExternalAction.TestSupport;

namespace ExternalAction.Store.Tests;

/// <summary>A fresh, migrated status store on one provider: a temporary SQLite file, a new PostgreSQL database, or SQL Server when configured.</summary>
public sealed class StoreFixture : IAsyncDisposable
{
    public const string SqlServerVariable = "EXTERNALACTION_TEST_SQLSERVER";

    private readonly Func<ValueTask> _cleanup;

    private StoreFixture(StatusStore store, Func<ValueTask> cleanup)
    {
        Store = store;
        _cleanup = cleanup;
    }

    public StatusStore Store { get; }

    public static async Task<StoreFixture> CreateAsync(string provider)
    {
        switch (provider)
        {
            case StoreProviders.Sqlite:
                var file = Path.Combine(Path.GetTempPath(), $"store-test-{Guid.NewGuid():N}.db");
                return await MigratedAsync(provider, $"Data Source={file}", () =>
                {
                    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                    foreach (var suffix in new[] { "", "-wal", "-shm" })
                        File.Delete(file + suffix);
                    return ValueTask.CompletedTask;
                });
            case StoreProviders.Postgres:
                var database = await PostgresDatabase.CreateAsync();
                return await MigratedAsync(provider, database.ConnectionString, database.DisposeAsync);
            default:
                var connectionString = Environment.GetEnvironmentVariable(SqlServerVariable);
                if (string.IsNullOrWhiteSpace(connectionString))
                    Assert.Ignore($"{SqlServerVariable} is not set: SQL Server cannot run on this machine (no Docker, no package); its T-SQL is parse-checked by SqlServerStatementTests instead.");
                return await MigratedAsync(provider, connectionString!, () => ValueTask.CompletedTask);
        }
    }

    private static async Task<StoreFixture> MigratedAsync(string provider, string connectionString, Func<ValueTask> cleanup)
    {
        var dialect = SqlDialect.For(provider);
        var store = new StatusStore(dialect.CreateDataSource(connectionString), dialect, TimeProvider.System);
        await store.MigrateAsync(CancellationToken.None);
        return new StoreFixture(store, cleanup);
    }

    public ValueTask DisposeAsync() => _cleanup();
}
