using Npgsql;

namespace ExternalAction.TestSupport;

/// <summary>
/// A fresh, uniquely named database on the real PostgreSQL server (EXTERNALACTION_TEST_POSTGRES, or
/// postgres/postgres on 127.0.0.1:5432 as infra/postgres.sh sets it up), dropped on dispose.
/// </summary>
public sealed class PostgresDatabase : IAsyncDisposable
{
    public static string ServerConnectionString =>
        Environment.GetEnvironmentVariable("EXTERNALACTION_TEST_POSTGRES") is { Length: > 0 } cs
            ? cs
            : "Host=127.0.0.1;Port=5432;Username=postgres;Password=postgres;Database=postgres";

    private PostgresDatabase(string name, string connectionString)
    {
        Name = name;
        ConnectionString = connectionString;
    }

    public string Name { get; }
    public string ConnectionString { get; }

    /// <param name="server">Another server's connection string (a <see cref="LocalPostgres"/>); default the shared one.</param>
    public static async Task<PostgresDatabase> CreateAsync(string? server = null)
    {
        if (server is null)
            await EnsureServerAsync();
        server ??= ServerConnectionString;
        var name = $"ea_test_{Guid.NewGuid():N}"[..24];
        // Unpooled: a pooled admin connection may be one a restart of that server (a LocalPostgres drill) has cut.
        await using (var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server) { Pooling = false }.ToString()))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }
        var builder = new NpgsqlConnectionStringBuilder(server) { Database = name };
        return new PostgresDatabase(name, builder.ToString()) { _server = server };
    }

    private string _server = ServerConnectionString;

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_server) { Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task EnsureServerAsync()
    {
        try
        {
            await using var connection = new NpgsqlConnection(ServerConnectionString);
            await connection.OpenAsync();
            return;
        }
        catch (NpgsqlException) when (Environment.GetEnvironmentVariable("EXTERNALACTION_TEST_POSTGRES") is null)
        {
        }
        await InfraScript.RunAsync("postgres.sh", ["start"]);
    }
}
