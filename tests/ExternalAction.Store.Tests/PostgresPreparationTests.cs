using Dapper;

namespace ExternalAction.Store.Tests;

/// <summary>
/// The PostgreSQL data source prepares the statements the store repeats (so the server does not parse and plan them
/// on every call), unless the connection string says otherwise. Checked on the real server through
/// <c>pg_prepared_statements</c>, which lists the current session's prepared statements.
/// </summary>
public sealed class PostgresPreparationTests
{
    private const string Repeated = "SELECT COUNT(*) FROM action_requests WHERE request_id = @Id";

    [Test]
    public async Task Statements_run_repeatedly_are_prepared_on_the_server()
    {
        await using var fixture = await StoreFixture.CreateAsync(StoreProviders.Postgres);
        Assert.That(await PreparedAfterRepeatingAsync(fixture.ConnectionString), Is.EqualTo(1));
    }

    [Test]
    public async Task Max_Auto_Prepare_in_the_connection_string_wins()
    {
        await using var fixture = await StoreFixture.CreateAsync(StoreProviders.Postgres);
        Assert.That(await PreparedAfterRepeatingAsync(fixture.ConnectionString + ";Max Auto Prepare=0"), Is.Zero);
    }

    private static async Task<long> PreparedAfterRepeatingAsync(string connectionString)
    {
        await using var db = SqlDialect.For(StoreProviders.Postgres).CreateDataSource(connectionString);
        await using var connection = await db.OpenConnectionAsync();
        for (var i = 0; i < 5; i++)
            await connection.ExecuteScalarAsync<long>(Repeated, new { Id = $"r-{i}" });
        return await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM pg_prepared_statements WHERE statement LIKE '%FROM action_requests WHERE request_id = $1%'");
    }
}
