using System.Data;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace ExternalAction.Store.Tests;

/// <summary>
/// The store's per-request statements bind their parameters once (BoundStatement): PostgreSQL gets positional
/// placeholders, the others named ones, and values are bound as Dapper bound them. The store suites run them against
/// SQLite and PostgreSQL; these pin the binding itself, and that every statement of every provider (SQL Server's too,
/// which cannot run here) has every parameter bound.
/// </summary>
public sealed class BoundStatementTests
{
    private sealed record Args(string Id, string? Owner, DateTimeOffset Now, int? Count, bool Flag, string Long);

    private static BoundStatement<Args>.Parameter Resolve(string name) => name switch
    {
        "Id" => BoundStatement<Args>.Parameter.Of(a => a.Id),
        "Owner" => BoundStatement<Args>.Parameter.Of(a => a.Owner),
        "Now" => BoundStatement<Args>.Parameter.Of(a => a.Now),
        "Count" => BoundStatement<Args>.Parameter.Of(a => a.Count),
        "Flag" => BoundStatement<Args>.Parameter.Of(a => a.Flag),
        "Long" => BoundStatement<Args>.Parameter.Of(a => a.Long),
        _ => throw new InvalidOperationException($"unbound {name}"),
    };

    private const string Sql = "UPDATE t SET owner = @Owner, at = @Now, n = COALESCE(@Count, n), f = @Flag, l = @Long WHERE id = @Id AND (@Owner IS NULL OR owner = @Owner); SELECT @@ROWCOUNT";

    private static readonly Args Values = new("r-1", null, DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123), 3, true, new string('x', 4001));

    [Test]
    public void PostgreSQL_gets_positional_placeholders_one_per_distinct_name_in_order_of_first_use()
    {
        var statement = new BoundStatement<Args>(SqlDialect.For(StoreProviders.Postgres), Sql, Resolve);
        Assert.Multiple(() =>
        {
            Assert.That(statement.Sql, Is.EqualTo("UPDATE t SET owner = $1, at = $2, n = COALESCE($3, n), f = $4, l = $5 WHERE id = $6 AND ($1 IS NULL OR owner = $1); SELECT @@ROWCOUNT"));
            Assert.That(statement.Names, Is.EqualTo(new[] { "Owner", "Now", "Count", "Flag", "Long", "Id" }));
        });
        using var command = statement.Command(new NpgsqlConnection(), null, Values);
        Assert.That(command.Parameters.Cast<NpgsqlParameter>().Select(p => p.ParameterName), Is.All.Empty, "unnamed, so Npgsql sends the SQL as it is");
    }

    [TestCase(StoreProviders.Sqlite)]
    [TestCase(StoreProviders.SqlServer)]
    public void Other_providers_keep_the_named_placeholders(string provider)
    {
        var statement = new BoundStatement<Args>(SqlDialect.For(provider), Sql, Resolve);
        Assert.That(statement.Sql, Is.EqualTo(Sql));
        using var command = statement.Command(new SqliteConnection(), null, Values);
        Assert.That(command.Parameters.Cast<System.Data.Common.DbParameter>().Select(p => p.ParameterName),
            Is.EqualTo(new[] { "@Owner", "@Now", "@Count", "@Flag", "@Long", "@Id" }));
    }

    [Test]
    public void Values_are_bound_as_Dapper_binds_them()
    {
        var statement = new BoundStatement<Args>(SqlDialect.For(StoreProviders.Sqlite), Sql, Resolve);
        using var command = statement.Command(new SqliteConnection(), null, Values);
        var p = command.Parameters.Cast<System.Data.Common.DbParameter>().ToDictionary(x => x.ParameterName);
        Assert.Multiple(() =>
        {
            Assert.That((p["@Owner"].DbType, p["@Owner"].Value), Is.EqualTo((DbType.String, (object)DBNull.Value)), "null string: typed DBNull");
            Assert.That((p["@Now"].DbType, p["@Now"].Value), Is.EqualTo((DbType.Int64, (object)1_700_000_000_123L)), "times as unix milliseconds");
            Assert.That((p["@Count"].DbType, p["@Count"].Value), Is.EqualTo((DbType.Int32, (object)3)));
            Assert.That((p["@Flag"].DbType, p["@Flag"].Value), Is.EqualTo((DbType.Boolean, (object)true)));
            Assert.That((p["@Id"].DbType, p["@Id"].Size), Is.EqualTo((DbType.String, 4000)), "strings up to 4,000 characters sized 4,000");
            Assert.That(p["@Long"].Size, Is.EqualTo(-1), "longer strings sized -1 (never truncated)");
        });
    }

    [Test]
    public void A_parameter_nothing_binds_fails_when_the_statement_is_built_not_when_it_runs() =>
        Assert.Throws<InvalidOperationException>(() =>
            new BoundStatement<Args>(SqlDialect.For(StoreProviders.Postgres), "SELECT @Id, @Missing", Resolve));

    public static IEnumerable<TestCaseData> Stores()
    {
        yield return new TestCaseData(StoreProviders.Sqlite, (Func<System.Data.Common.DbDataSource>)(() => SqlDialect.For(StoreProviders.Sqlite).CreateDataSource("Data Source=:memory:")));
        yield return new TestCaseData(StoreProviders.Postgres, (Func<System.Data.Common.DbDataSource>)(() => NpgsqlDataSource.Create("Host=unused")));
        yield return new TestCaseData(StoreProviders.SqlServer, (Func<System.Data.Common.DbDataSource>)(() => SqlClientFactory.Instance.CreateDataSource("Server=unused")));
    }

    [TestCaseSource(nameof(Stores))]
    public void Every_statement_the_store_binds_per_call_has_every_parameter_bound(string provider, Func<System.Data.Common.DbDataSource> db)
    {
        // Building a statement resolves every name (A_parameter_nothing_binds_fails…): constructing the store and its
        // inserts is the check; nothing connects.
        using var store = new StatusStore(db(), SqlDialect.For(provider), TimeProvider.System);
        var statements = store.BoundStatements().ToList();
        Assert.That(statements.Select(s => s.Name), Does.Contain("claim").And.Contain("insert 100"));
        if (provider == StoreProviders.Postgres)
            Assert.That(statements.Where(s => s.Sql.Contains('@')).Select(s => s.Name), Is.Empty, "no named placeholder left for Npgsql to parse");
    }

    [Test]
    public void An_update_statement_names_only_the_columns_its_update_sets()
    {
        var shape = UpdateShape.Of(new StatusUpdate { Status = RequestStatuses.Processing, AttemptCount = 2, LastError = "e", ReleaseLease = false });
        var set = RequestColumns.UpdateSet(shape);
        Assert.That(set, Does.Contain("attempt_count = @AttemptCount").And.Contain("last_error = @LastError").And.Contain("status = @Status"));
        Assert.That(set, Does.Not.Contain("route").And.Not.Contain("lease_owner").And.Not.Contain("next_attempt_at").And.Not.Contain("COALESCE"));

        var widest = RequestColumns.UpdateSet(UpdateShape.Widest);
        Assert.That(RequestColumns.KeptUnlessSet, Has.All.Matches<string>(c => widest.Contains($"{c} = @", StringComparison.Ordinal)));
        Assert.That(widest, Does.Contain("next_attempt_at = NULL").And.Contain("lease_owner = NULL"));
        Assert.That(UpdateShape.Of(new StatusUpdate { Status = "x", NextAttemptAt = DateTimeOffset.UnixEpoch, ClearNextAttempt = true }),
            Is.EqualTo(UpdateShape.Of(new StatusUpdate { Status = "x", ClearNextAttempt = true })), "clearing wins: one shape");
        Assert.That(RequestColumns.UpdateSet(UpdateShape.Of(new StatusUpdate { Status = "x", NextAttemptAt = DateTimeOffset.UnixEpoch })),
            Does.Contain("next_attempt_at = @NextAttemptAt"));
    }
}
