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
}

/// <summary>The supported providers.</summary>
public static class StoreProviders
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";
    public const string SqlServer = "sqlserver";

    public static IReadOnlyList<string> All { get; } = [Sqlite, Postgres, SqlServer];
}
