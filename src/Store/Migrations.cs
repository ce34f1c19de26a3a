using System.Data.Common;
using System.Reflection;
using Dapper;

namespace ExternalAction.Store;

/// <summary>
/// Applies the versioned scripts under <c>Migrations/&lt;provider&gt;/NNNN_name.sql</c> in order, once each, recorded in
/// <c>schema_migrations</c>. A lock (advisory lock, app lock, or SQLite's write transaction) lets several hosts
/// start at the same time.
/// </summary>
internal static class Migrations
{
    private const string IsAppliedSql = "SELECT COUNT(*) FROM schema_migrations WHERE version = @Version";
    private const string RecordSql = "INSERT INTO schema_migrations (version, applied_at) VALUES (@Version, @At)";

    /// <summary>The statements that apply scripts (besides the dialect's), so tests can parse them for SQL Server.</summary>
    internal static IEnumerable<(string Name, string Sql)> Statements => [(nameof(IsAppliedSql), IsAppliedSql), (nameof(RecordSql), RecordSql)];

    public static IReadOnlyList<(string Version, string Sql)> Scripts(string provider)
    {
        var assembly = typeof(Migrations).Assembly;
        var prefix = $"{assembly.GetName().Name}.Migrations.{provider}.";
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n => (n[prefix.Length..^4], Read(assembly, n)))
            .ToList();
    }

    public static async Task ApplyAsync(DbDataSource db, SqlDialect dialect, TimeProvider clock, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        if (dialect.AcquireMigrationLock is { } acquire)
            await connection.ExecuteAsync(new CommandDefinition(acquire, commandTimeout: 120, cancellationToken: ct));
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(dialect.CreateMigrationsTable, cancellationToken: ct));
            foreach (var (version, sql) in Scripts(dialect.Provider))
            {
                // SQLite has no lock statement: its write transaction (BEGIN IMMEDIATE) serialises migrators instead.
                await using var tx = await connection.BeginTransactionAsync(ct);
                var applied = await connection.ExecuteScalarAsync<int>(new CommandDefinition(
                    IsAppliedSql, new { Version = version }, tx, cancellationToken: ct));
                if (applied == 0)
                {
                    await connection.ExecuteAsync(new CommandDefinition(sql, transaction: tx, commandTimeout: 300, cancellationToken: ct));
                    await connection.ExecuteAsync(new CommandDefinition(
                        RecordSql,
                        new { Version = version, At = clock.GetUtcNow().ToUnixTimeMilliseconds() }, tx, cancellationToken: ct));
                }
                await tx.CommitAsync(ct);
            }
        }
        finally
        {
            if (dialect.ReleaseMigrationLock is { } release)
                await connection.ExecuteAsync(new CommandDefinition(release, cancellationToken: CancellationToken.None));
        }
    }

    private static string Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
