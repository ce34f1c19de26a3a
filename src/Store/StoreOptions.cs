namespace ExternalAction.Store;

/// <summary>Which database holds the status table (<c>ExternalAction:Store</c>).</summary>
public sealed class StoreOptions
{
    public const string Section = "ExternalAction:Store";

    /// <summary><c>sqlite</c> (embedded default), <c>postgres</c> or <c>sqlserver</c>.</summary>
    public string Provider { get; set; } = StoreProviders.Sqlite;

    public string ConnectionString { get; set; } = "Data Source=externalaction.db";

    /// <summary>Apply pending migrations when the host starts (safe when several hosts start at once).</summary>
    public bool MigrateOnStart { get; set; } = true;

    /// <summary>
    /// Group commit of the Processor's claims and status updates (<see cref="GroupCommit"/>): calls that arrive while a
    /// transaction is written share the next one. On by default for PostgreSQL and SQLite; SQL Server keeps one
    /// transaction per call until its suite has run the batched path (set <c>Writers</c> to turn it on there).
    /// </summary>
    public GroupCommitOptions GroupCommit { get; set; } = new();
}

/// <summary><c>ExternalAction:Store:GroupCommit</c>.</summary>
public sealed class GroupCommitOptions
{
    /// <summary>Transactions written at the same time, each on its own connection; 0 turns group commit off. Default: 2
    /// (PostgreSQL, SQLite), 0 (SQL Server).</summary>
    public int? Writers { get; set; }

    /// <summary>The most calls in one transaction.</summary>
    public int MaxCalls { get; set; } = 64;

    /// <summary>
    /// How long a writer that took one call waits for more before it writes (0 = not at all: a call alone on an idle
    /// store is written at once). Trades that much latency on every claim and update for fewer transactions at light
    /// load, where calls seldom overlap by themselves.
    /// </summary>
    public double GatherMs { get; set; }

    /// <summary>The settings for <paramref name="provider"/>: <see cref="Writers"/> filled in with its default.</summary>
    public GroupCommitOptions For(string provider) => new()
    {
        Writers = Writers ?? (provider == StoreProviders.SqlServer ? 0 : 2),
        MaxCalls = MaxCalls,
        GatherMs = GatherMs,
    };
}

/// <summary>The supported providers.</summary>
public static class StoreProviders
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";
    public const string SqlServer = "sqlserver";

    public static IReadOnlyList<string> All { get; } = [Sqlite, Postgres, SqlServer];
}
