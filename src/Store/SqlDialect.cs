using System.Data.Common;
using System.Globalization;
using ExternalAction.Store.Lifecycle;
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
    /// <summary>Rows per insert statement: 100 rows of 15 columns use 1,501 parameters, under SQL Server's limit of 2,100.</summary>
    public const int InsertChunk = 100;

    private readonly string?[] _inserts = new string?[InsertChunk + 1];

    public abstract string Provider { get; }

    /// <summary>
    /// One statement that inserts <paramref name="rows"/> request rows in their first status, skipping ids that exist,
    /// and returns the ids it inserted. Row <c>i</c>'s values are the parameters <see cref="RequestColumns.InsertValues"/>
    /// suffixed with <c>i</c>; <c>@Now</c> is shared.
    /// </summary>
    public string InsertIfAbsent(int rows)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rows, InsertChunk);
        return _inserts[rows] ??= BuildInsertIfAbsent(rows);
    }

    protected abstract string BuildInsertIfAbsent(int rows);

    /// <summary>Appended after ORDER BY to take at most <c>@Take</c> rows.</summary>
    public abstract string Limit { get; }

    /// <summary>Takes the cross-process migration lock on an open connection (SQLite: none needed, its write transaction serialises migrators).</summary>
    public abstract string? AcquireMigrationLock { get; }

    public abstract string? ReleaseMigrationLock { get; }

    public abstract string CreateMigrationsTable { get; }

    /// <summary>
    /// Serialises frequency-cap reservations of one key (<c>@Key</c>) until the transaction ends, so that instances
    /// counting the same contact never both take the last slot (SQLite: none needed, its write transaction does it).
    /// </summary>
    public abstract string? CapLock { get; }

    /// <summary>"column is one of the list parameter": Dapper expands <c>IN @Ids</c> to one parameter per item, except for Npgsql, which takes the list as one array.</summary>
    public virtual string InList(string parameter) => $"IN @{parameter}";

    /// <summary>
    /// Sets <paramref name="set"/> on the rows matching <paramref name="where"/> and appends for each a transition from the
    /// status it leaves to <paramref name="toStatus"/>; <paramref name="detail"/> is an SQL expression in which
    /// <c>{from}</c> stands for that status. With <paramref name="returnRow"/> the statements also select the updated
    /// row (none when nothing changed), otherwise the number of rows changed. PostgreSQL and SQL Server do it in one
    /// statement (data-modifying CTEs; <c>OUTPUT … INTO</c>): atomic without a transaction, one round trip. SQLite has
    /// no old values in <c>RETURNING</c>, so it gets the transition's <c>INSERT … SELECT</c> and the <c>UPDATE</c>, which the
    /// store runs in a transaction (<see cref="UpdateIsOneStatement"/>); SQLite's single writer means both see the same row.
    /// </summary>
    public virtual string UpdateWithTransition(string set, string where, string toStatus, string detail, bool returnRow) => $"""
            INSERT INTO action_request_transitions (request_id, from_status, to_status, at, detail)
            SELECT request_id, status, {toStatus}, @Now, {detail.Replace("{from}", "status", StringComparison.Ordinal)}
              FROM action_requests
             WHERE {where};
            UPDATE action_requests
               SET {set}
             WHERE {where};
            {(returnRow ? $"SELECT {RequestColumns.Select()} FROM action_requests WHERE request_id = @RequestId AND changes() > 0;" : "SELECT changes();")}
            """;

    /// <summary>True where <see cref="UpdateWithTransition"/> is a single atomic statement (no transaction needed).</summary>
    public virtual bool UpdateIsOneStatement => false;

    /// <summary>
    /// True where <see cref="BoundStatement{TArgs}"/> sends positional placeholders (<c>$1</c>) and unnamed parameters:
    /// Npgsql then sends the SQL as it is instead of parsing it to rewrite named ones.
    /// </summary>
    public virtual bool PositionalParameters => false;

    /// <summary>
    /// One statement that inserts a request row already claimed (leased to <c>@Owner</c> until <c>@LeaseUntil</c>) with
    /// its first two transitions, and returns it; no row when the id exists. The row's values are the parameters
    /// <see cref="RequestColumns.InsertValues"/> without suffix. Null where the provider has no such statement:
    /// the store then claims first and inserts on a miss.
    /// </summary>
    public virtual string? InsertClaimed => null;

    /// <summary>
    /// The first <c>@Take</c> rows matching <paramref name="where"/> in (received_at, request_id) order, as
    /// <c>request_id, received_at</c>, locked for the caller's transaction and skipping rows another transaction holds:
    /// two Processors purging at once take disjoint batches instead of waiting on (or deadlocking over) each other.
    /// SQLite needs no hint: its write transaction (BEGIN IMMEDIATE) already excludes every other writer.
    /// </summary>
    public virtual string LockedBatch(string where) =>
        $"SELECT request_id, received_at FROM action_requests WHERE {where} ORDER BY received_at, request_id {Limit}";

    /// <summary>Run after a purge that removed something: gives freed pages back to the file system where that is not automatic.</summary>
    public virtual string? ReclaimSpace => null;

    public abstract DbDataSource CreateDataSource(string connectionString);

    /// <summary>Every provider-specific statement, so tests can parse them (T-SQL through ScriptDom).</summary>
    public IEnumerable<(string Name, string Sql)> Statements()
    {
        yield return ($"{nameof(InsertIfAbsent)}(1)", InsertIfAbsent(1));
        yield return ($"{nameof(InsertIfAbsent)}(3)", InsertIfAbsent(3));
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

    /// <summary>The detail of every request's first transition (the row inserted).</summary>
    public const string AcceptedDetail = "accepted and queued";

    /// <summary>The detail of a claim of a waiting row.</summary>
    public const string ClaimedDetail = "claimed for processing";

    /// <summary>The detail of a claim of a row whose holder's lease ran out.</summary>
    public const string ReclaimedDetail = "claimed after the previous owner's lease ran out";

    /// <summary>An SQL string literal.</summary>
    public static string Quoted(string text) => $"'{text.Replace("'", "''", StringComparison.Ordinal)}'";

    /// <summary>The columns a new row gets on insert: those of its <see cref="NewRequest"/>, then its first status, attempt count and times.</summary>
    private static readonly string Columns = $"{RequestColumns.Inserted()}, status, attempt_count, created_at, updated_at";

    /// <summary>The values of <see cref="Columns"/> after the request's own.</summary>
    private static readonly string FirstStatusValues = $"{LifecycleSql.Literal(LifecycleSql.Inserted)}, 0, @Now, @Now";

    /// <summary><c>(@RequestId0, …, @RequestHash0{suffix}), (@RequestId1, …)</c>.</summary>
    private static string Tuples(int rows, string suffix) => string.Join(", ", Enumerable.Range(0, rows).Select(i =>
        $"({RequestColumns.InsertValues(i.ToString(CultureInfo.InvariantCulture))}{suffix})"));

    /// <summary>SQLite and PostgreSQL share the upsert syntax; RETURNING lists only the rows actually inserted.</summary>
    private static string OnConflictInsert(int rows) => $"""
            INSERT INTO action_requests ({Columns})
            VALUES {Tuples(rows, ", " + FirstStatusValues)}
            ON CONFLICT (request_id) DO NOTHING
            RETURNING request_id
            """;

    private sealed class SqliteDialect : SqlDialect
    {
        public override string Provider => StoreProviders.Sqlite;
        protected override string BuildInsertIfAbsent(int rows) => OnConflictInsert(rows);
        public override string Limit => "LIMIT @Take";
        public override string? AcquireMigrationLock => null;
        public override string? CapLock => null;
        public override string? ReleaseMigrationLock => null;
        public override string CreateMigrationsTable => "CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT NOT NULL PRIMARY KEY, applied_at INTEGER NOT NULL)";

        // Deleted rows and cleared payloads leave free pages that SQLite reuses but keeps in the file. In a database
        // created with auto_vacuum=INCREMENTAL (every one this store creates, see WalConnection) this truncates them off;
        // in an older one (auto_vacuum=NONE) it does nothing, and only a VACUUM shrinks the file (docs/support.md).
        public override string? ReclaimSpace => "PRAGMA incremental_vacuum";

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
        protected override string BuildInsertIfAbsent(int rows) => OnConflictInsert(rows);
        public override string Limit => "LIMIT @Take";
        public override string InList(string parameter) => $"= ANY(@{parameter})";
        public override string LockedBatch(string where) => $"{base.LockedBatch(where)} FOR UPDATE SKIP LOCKED";
        public override string? AcquireMigrationLock => "SELECT pg_advisory_lock(7274001)";
        public override string? CapLock => "SELECT pg_advisory_xact_lock(hashtextextended(@Key, 7274002))";
        public override string? ReleaseMigrationLock => "SELECT pg_advisory_unlock(7274001)";
        public override string CreateMigrationsTable => "CREATE TABLE IF NOT EXISTS schema_migrations (version VARCHAR(64) NOT NULL PRIMARY KEY, applied_at BIGINT NOT NULL)";
        public override bool UpdateIsOneStatement => true;
        public override bool PositionalParameters => true;

        // The Processor usually takes a request off its queue before the Api's row writer (batches of up to 50 ms) has
        // written the row: inserting it claimed is then one statement instead of a missed claim, an insert and a
        // second claim. ON CONFLICT waits for the Api's uncommitted insert of the same id and then returns nothing.
        public override string? InsertClaimed { get; } = $"""
            WITH ins AS (
                INSERT INTO action_requests ({RequestColumns.Inserted()}, status, attempt_count, lease_owner, lease_until, created_at, updated_at)
                VALUES ({RequestColumns.InsertValues("")}, {LifecycleSql.Literal(LifecycleSql.Claimed)}, 0, @Owner, @LeaseUntil, @Now, @Now)
                ON CONFLICT (request_id) DO NOTHING
                RETURNING {RequestColumns.Select()}),
            logged AS (
                INSERT INTO action_request_transitions (request_id, from_status, to_status, at, detail)
                SELECT ins.request_id, t.from_status, t.to_status, @Now, t.detail
                  FROM ins CROSS JOIN (VALUES (1, NULL, {LifecycleSql.Literal(LifecycleSql.Inserted)}, {Quoted(AcceptedDetail)}),
                                              (2, {LifecycleSql.Literal(LifecycleSql.Inserted)}, {LifecycleSql.Literal(LifecycleSql.Claimed)}, {Quoted(ClaimedDetail)}))
                       AS t (ord, from_status, to_status, detail)
                 ORDER BY t.ord)
            SELECT * FROM ins
            """;

        // The old status comes from a locking read in the same statement; the INSERT of the transition runs whether or
        // not the final SELECT is there (PostgreSQL executes every data-modifying CTE exactly once).
        public override string UpdateWithTransition(string set, string where, string toStatus, string detail, bool returnRow) => $"""
            WITH old AS (
                SELECT request_id AS old_id, status AS from_status FROM action_requests WHERE {where} FOR UPDATE),
            changed AS (
                UPDATE action_requests SET {set} FROM old WHERE request_id = old.old_id
                RETURNING {RequestColumns.Select("action_requests.")}, old.from_status),
            logged AS (
                INSERT INTO action_request_transitions (request_id, from_status, to_status, at, detail)
                SELECT request_id, from_status, {toStatus}, @Now, {detail.Replace("{from}", "from_status", StringComparison.Ordinal)} FROM changed
                RETURNING request_id)
            {(returnRow ? "SELECT * FROM changed" : "SELECT COUNT(*) FROM logged")}
            """;

        public override DbDataSource CreateDataSource(string connectionString)
        {
            // The Processor runs the same few statements (claim, update, batched insert) thousands of times a second;
            // without preparation PostgreSQL parses and plans each one again (40 % of its CPU in the benchmark's
            // profile, docs/benchmarks.md). Npgsql's automatic preparation keeps them prepared per connection. A value
            // in the connection string wins (Max Auto Prepare=0 turns it off, e.g. behind a transaction-mode pooler).
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            if (!connectionString.Contains("Auto Prepare", StringComparison.OrdinalIgnoreCase)
                && !connectionString.Contains("AutoPrepare", StringComparison.OrdinalIgnoreCase))
            {
                builder.MaxAutoPrepare = AutoPreparedStatements;
                builder.AutoPrepareMinUsages = 2;
            }
            // Every store call borrows a pooled connection for one statement batch; by default Npgsql resets the
            // session each time it goes back: seven RESET/DISCARD statements ahead of the next command, about three
            // times per request (21 of 35 statements per request in the benchmark's pg_stat_statements). The store
            // keeps no session state (its one advisory lock is released in a finally), so the reset is pure cost. A
            // connection string that names the setting decides for itself.
            if (!connectionString.Contains("Reset On Close", StringComparison.OrdinalIgnoreCase)
                && !connectionString.Contains("NoResetOnClose", StringComparison.OrdinalIgnoreCase))
                builder.NoResetOnClose = true;
            return NpgsqlDataSource.Create(builder.ConnectionString);
        }

        /// <summary>Room for every statement the store repeats, with the batched insert at a few batch sizes.</summary>
        internal const int AutoPreparedStatements = 64;
    }

    private sealed class SqlServerDialect : SqlDialect
    {
        public override string Provider => StoreProviders.SqlServer;
        // No ON CONFLICT in T-SQL: UPDLOCK+HOLDLOCK keeps the key range locked from the check to the insert, so a
        // concurrent insert of the same id waits and then skips it instead of failing on the primary key.
        protected override string BuildInsertIfAbsent(int rows) => $"""
            INSERT INTO action_requests ({Columns})
            OUTPUT inserted.request_id
            SELECT {RequestColumns.Inserted("v.")}, {FirstStatusValues}
              FROM (VALUES {Tuples(rows, "")}) AS v ({RequestColumns.Inserted()})
             WHERE NOT EXISTS (SELECT 1 FROM action_requests AS r WITH (UPDLOCK, HOLDLOCK) WHERE r.request_id = v.request_id)
            """;
        public override string Limit => "OFFSET 0 ROWS FETCH NEXT @Take ROWS ONLY";
        public override bool UpdateIsOneStatement => true;
        // READPAST skips rows another purge holds; UPDLOCK keeps the batch ours until the transaction ends.
        public override string LockedBatch(string where) =>
            $"SELECT request_id, received_at FROM action_requests WITH (UPDLOCK, READPAST, ROWLOCK) WHERE {where} ORDER BY received_at, request_id {Limit}";

        // deleted.* is the row before the update, inserted.* after it; the first OUTPUT writes the transition, the
        // second (with returnRow) hands the updated row back.
        public override string UpdateWithTransition(string set, string where, string toStatus, string detail, bool returnRow) => $"""
            UPDATE action_requests WITH (ROWLOCK)
               SET {set}
            OUTPUT inserted.request_id, deleted.status, {toStatus}, @Now, {detail.Replace("{from}", "deleted.status", StringComparison.Ordinal)}
              INTO action_request_transitions (request_id, from_status, to_status, at, detail)
            {(returnRow ? $"OUTPUT {RequestColumns.Select("inserted.")}" : "")}
             WHERE {where};
            {(returnRow ? "" : "SELECT @@ROWCOUNT;")}
            """;
        public override string? AcquireMigrationLock => "EXEC sp_getapplock @Resource = 'externalaction-migrations', @LockMode = 'Exclusive', @LockOwner = 'Session', @LockTimeout = 60000";
        public override string? CapLock => "EXEC sp_getapplock @Resource = @Key, @LockMode = 'Exclusive', @LockOwner = 'Transaction', @LockTimeout = 10000";
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
                // auto_vacuum first: it only takes effect in a database that has no table yet (a new file), so the
                // retention purge can give freed pages back (ReclaimSpace); in an existing file it changes nothing.
                pragma.CommandText = "PRAGMA auto_vacuum=INCREMENTAL; PRAGMA journal_mode=WAL; PRAGMA busy_timeout=30000; PRAGMA synchronous=NORMAL;";
                pragma.ExecuteNonQuery();
            }
            // DbConnection.OpenAsync calls Open(), so async opens get the same settings.
        }
    }
}
