using System.Data.Common;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace ExternalAction.Store;

/// <summary>
/// The one seam between providers: the few statements whose SQL differs (insert-if-absent, row limits, the
/// migration lock). Everything else is plain SQL shared by all three.
/// </summary>
internal abstract class SqlDialect
{
    public abstract string Provider { get; }

    /// <summary>Insert a request row unless one with the same id exists; affects 1 row when inserted.</summary>
    public abstract string InsertIfAbsent { get; }

    /// <summary>Appended after ORDER BY to take at most <c>@Take</c> rows.</summary>
    public abstract string Limit { get; }

    /// <summary>Takes the cross-process migration lock on an open connection (SQLite: none needed, see <see cref="MigrationTransaction"/>).</summary>
    public abstract string? AcquireMigrationLock { get; }

    public abstract string? ReleaseMigrationLock { get; }

    public abstract string CreateMigrationsTable { get; }

    /// <summary>Table hint for a read that precedes an update of the same row (SQL Server: take the update lock early, avoiding S→X deadlocks).</summary>
    public virtual string RowLockHint => "";

    public abstract DbDataSource CreateDataSource(string connectionString);

    /// <summary>Every provider-specific statement, so tests can parse them (T-SQL through ScriptDom).</summary>
    public IEnumerable<(string Name, string Sql)> Statements()
    {
        yield return (nameof(InsertIfAbsent), InsertIfAbsent);
        yield return (nameof(Limit), $"SELECT request_id FROM action_requests ORDER BY received_at DESC {Limit}");
        if (AcquireMigrationLock is not null) yield return (nameof(AcquireMigrationLock), AcquireMigrationLock);
        if (ReleaseMigrationLock is not null) yield return (nameof(ReleaseMigrationLock), ReleaseMigrationLock);
        yield return (nameof(CreateMigrationsTable), CreateMigrationsTable);
    }

    public static SqlDialect For(string provider) => provider switch
    {
        StoreProviders.Sqlite => new SqliteDialect(),
        StoreProviders.Postgres => new PostgresDialect(),
        StoreProviders.SqlServer => new SqlServerDialect(),
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, $"Unknown provider; use one of {string.Join(", ", StoreProviders.All)}."),
    };

    internal const string Columns = "request_id, action_name, action_version, entity_type, lead_id, account_id, person_ids, journey_id, journey_name, ims_org_id, munchkin_id, received_at, deadline_at, request_payload, status, attempt_count, created_at, updated_at";
    internal const string Values = "@RequestId, @ActionName, @ActionVersion, @EntityType, @LeadId, @AccountId, @PersonIds, @JourneyId, @JourneyName, @ImsOrgId, @MunchkinId, @ReceivedAt, @DeadlineAt, @RequestPayload, @Status, 0, @Now, @Now";

    private sealed class SqliteDialect : SqlDialect
    {
        public override string Provider => StoreProviders.Sqlite;
        public override string InsertIfAbsent => $"INSERT INTO action_requests ({Columns}) VALUES ({Values}) ON CONFLICT (request_id) DO NOTHING";
        public override string Limit => "LIMIT @Take";
        public override string? AcquireMigrationLock => null;
        public override string? ReleaseMigrationLock => null;
        public override string CreateMigrationsTable => "CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT NOT NULL PRIMARY KEY, applied_at INTEGER NOT NULL)";

        public override DbDataSource CreateDataSource(string connectionString)
        {
            // WAL lets the batch writer and the consumers work side by side; the busy timeout waits out short locks.
            var builder = new SqliteConnectionStringBuilder(connectionString) { DefaultTimeout = 30, Pooling = true };
            return new SqliteWalDataSource(builder.ToString());
        }
    }

    private sealed class PostgresDialect : SqlDialect
    {
        public override string Provider => StoreProviders.Postgres;
        public override string InsertIfAbsent => $"INSERT INTO action_requests ({Columns}) VALUES ({Values}) ON CONFLICT (request_id) DO NOTHING";
        public override string Limit => "LIMIT @Take";
        public override string? AcquireMigrationLock => "SELECT pg_advisory_lock(7274001)";
        public override string? ReleaseMigrationLock => "SELECT pg_advisory_unlock(7274001)";
        public override string CreateMigrationsTable => "CREATE TABLE IF NOT EXISTS schema_migrations (version VARCHAR(64) NOT NULL PRIMARY KEY, applied_at BIGINT NOT NULL)";
        public override DbDataSource CreateDataSource(string connectionString) => NpgsqlDataSource.Create(connectionString);
    }

    private sealed class SqlServerDialect : SqlDialect
    {
        public override string Provider => StoreProviders.SqlServer;
        public override string InsertIfAbsent =>
            $"INSERT INTO action_requests ({Columns}) SELECT {Values} WHERE NOT EXISTS (SELECT 1 FROM action_requests WITH (UPDLOCK, HOLDLOCK) WHERE request_id = @RequestId)";
        public override string Limit => "OFFSET 0 ROWS FETCH NEXT @Take ROWS ONLY";
        public override string RowLockHint => " WITH (UPDLOCK, ROWLOCK)";
        public override string? AcquireMigrationLock => "EXEC sp_getapplock @Resource = 'externalaction-migrations', @LockMode = 'Exclusive', @LockOwner = 'Session', @LockTimeout = 60000";
        public override string? ReleaseMigrationLock => "EXEC sp_releaseapplock @Resource = 'externalaction-migrations', @LockOwner = 'Session'";
        public override string CreateMigrationsTable =>
            "IF OBJECT_ID(N'schema_migrations', N'U') IS NULL CREATE TABLE schema_migrations (version NVARCHAR(64) NOT NULL PRIMARY KEY, applied_at BIGINT NOT NULL)";
        public override DbDataSource CreateDataSource(string connectionString) => SqlClientFactory.Instance.CreateDataSource(connectionString);
    }

    /// <summary>SQLite connections switched to WAL journaling and a busy timeout when they open.</summary>
    private sealed class SqliteWalDataSource(string connectionString) : DbDataSource
    {
        public override string ConnectionString => connectionString;

        protected override DbConnection CreateDbConnection() => new WalConnection(connectionString);

        private sealed class WalConnection(string connectionString) : SqliteConnection(connectionString)
        {
            public override void Open()
            {
                base.Open();
                using var pragma = CreateCommand();
                pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=30000; PRAGMA synchronous=NORMAL;";
                pragma.ExecuteNonQuery();
            }
            // DbConnection.OpenAsync calls Open(), so async opens get the same settings.
        }
    }
}
