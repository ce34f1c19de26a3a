using Dapper;
using ExternalAction.TestSupport;

namespace ExternalAction.Store.Tests;

/// <summary>A fresh status store on one provider: a temporary SQLite file, a new PostgreSQL database, or SQL Server when configured.</summary>
public sealed class StoreFixture : IAsyncDisposable
{
    public const string SqlServerVariable = "EXTERNALACTION_TEST_SQLSERVER";

    private readonly Func<ValueTask> _cleanup;

    private StoreFixture(string provider, string connectionString, Func<ValueTask> cleanup)
    {
        Provider = provider;
        ConnectionString = connectionString;
        _cleanup = cleanup;
        Store = NewStore();
        var dialect = SqlDialect.For(provider);
        Queries = new StatusQueries(dialect.CreateDataSource(connectionString), dialect);
        Rules = new Store.Rules.DeliveryRulesStore(dialect.CreateDataSource(connectionString), dialect);
    }

    /// <summary>The delivery rules' store (suppression list, frequency caps).</summary>
    public Store.Rules.DeliveryRulesStore Rules { get; }

    /// <summary>A delivery rules store with its own connection pool, as another Processor instance would have.</summary>
    public Store.Rules.DeliveryRulesStore NewRules()
    {
        var dialect = SqlDialect.For(Provider);
        return new Store.Rules.DeliveryRulesStore(dialect.CreateDataSource(ConnectionString), dialect);
    }

    public string Provider { get; }
    public string ConnectionString { get; }
    public StatusStore Store { get; }

    /// <summary>Support's reads, on a pool of their own.</summary>
    public StatusQueries Queries { get; }

    /// <summary>A store with its own connection pool on the same database, as another process would have.</summary>
    public StatusStore NewStore(GroupCommitOptions? groupCommit = null, TimeProvider? clock = null)
    {
        var dialect = SqlDialect.For(Provider);
        return new StatusStore(dialect.CreateDataSource(ConnectionString), dialect, clock ?? TimeProvider.System, groupCommit);
    }

    /// <summary>A scalar read straight from the database, for what the store's API does not show.</summary>
    public async Task<long> ScalarAsync(string sql)
    {
        await using var db = SqlDialect.For(Provider).CreateDataSource(ConnectionString);
        await using var connection = await db.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>(sql);
    }

    /// <summary>Runs SQL straight on the database (a migration script, a row as an older release wrote it).</summary>
    public async Task ExecuteAsync(string sql)
    {
        await using var db = SqlDialect.For(Provider).CreateDataSource(ConnectionString);
        await using var connection = await db.OpenConnectionAsync();
        await connection.ExecuteAsync(sql);
    }

    /// <summary>The columns of the migrated status table, as the database lists them.</summary>
    public async Task<IReadOnlyList<string>> RequestColumnsAsync()
    {
        await using var db = SqlDialect.For(Provider).CreateDataSource(ConnectionString);
        await using var connection = await db.OpenConnectionAsync();
        var sql = Provider == StoreProviders.Sqlite
            ? "SELECT name FROM pragma_table_info('action_requests')"
            : "SELECT column_name FROM information_schema.columns WHERE table_name = 'action_requests'";
        return (await connection.QueryAsync<string>(sql)).ToList();
    }

    public static async Task<StoreFixture> CreateAsync(string provider, bool migrate = true)
    {
        StoreFixture fixture;
        switch (provider)
        {
            case StoreProviders.Sqlite:
                var file = Path.Combine(Path.GetTempPath(), $"store-test-{Guid.NewGuid():N}.db");
                fixture = new StoreFixture(provider, $"Data Source={file}", () =>
                {
                    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                    foreach (var suffix in new[] { "", "-wal", "-shm" })
                        File.Delete(file + suffix);
                    return ValueTask.CompletedTask;
                });
                break;
            case StoreProviders.Postgres:
                var database = await PostgresDatabase.CreateAsync();
                fixture = new StoreFixture(provider, database.ConnectionString, database.DisposeAsync);
                break;
            default:
                var connectionString = Environment.GetEnvironmentVariable(SqlServerVariable);
                if (string.IsNullOrWhiteSpace(connectionString))
                    Assert.Ignore($"{SqlServerVariable} is not set: SQL Server cannot run on this machine (no Docker, no package); its T-SQL is parse-checked by SqlServerStatementTests instead.");
                // The given database is reused (tests use unique ids and action names), so "fresh" means "maybe migrated".
                fixture = new StoreFixture(provider, connectionString!, () => ValueTask.CompletedTask);
                break;
        }
        if (migrate)
            await fixture.Store.MigrateAsync(CancellationToken.None);
        return fixture;
    }

    public ValueTask DisposeAsync() => _cleanup();
}
