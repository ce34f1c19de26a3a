using Microsoft.SqlServer.TransactSql.ScriptDom;

namespace ExternalAction.Store.Tests;

/// <summary>
/// SQL Server cannot run here, so every statement the SQL Server path executes is parsed with Microsoft's own T-SQL
/// parser: the migrations, the dialect's own statements, and the statements of StatusStore and StatusQueries.
/// </summary>
public sealed class SqlServerStatementTests
{
    public static IEnumerable<TestCaseData> Statements()
    {
        foreach (var (version, sql) in Migrations.Scripts(StoreProviders.SqlServer))
            yield return new TestCaseData(sql).SetName($"Migration {version} parses as T-SQL");
        foreach (var (name, sql) in SqlDialect.For(StoreProviders.SqlServer).Statements())
            yield return new TestCaseData(sql).SetName($"Dialect statement {name} parses as T-SQL");
        foreach (var (name, sql) in Migrations.Statements)
            yield return new TestCaseData(sql).SetName($"Migration statement {name} parses as T-SQL");
        foreach (var (name, sql) in StatusStore.Statements)
            yield return new TestCaseData(sql).SetName($"Store statement {name} parses as T-SQL");
        foreach (var (name, sql) in StatusQueries.Statements)
            yield return new TestCaseData(sql).SetName($"Query statement {name} parses as T-SQL");
        var rules = new Rules.DeliveryRulesStore(Npgsql.NpgsqlDataSource.Create("Host=unused"), SqlDialect.For(StoreProviders.SqlServer));
        foreach (var (name, sql) in rules.Statements)
            yield return new TestCaseData(sql).SetName($"Delivery rules statement {name} parses as T-SQL");
        foreach (var (name, sql) in Store.Activations.JourneyActivations.Statements)
            yield return new TestCaseData(sql).SetName($"Activation statement {name} parses as T-SQL");
    }

    [TestCaseSource(nameof(Statements))]
    public void Parses(string sql)
    {
        var parser = new TSql160Parser(initialQuotedIdentifiers: true);
        using var reader = new StringReader(sql);
        parser.Parse(reader, out var errors);
        Assert.That(errors.Select(e => $"line {e.Line}: {e.Message}"), Is.Empty);
    }

    [Test]
    public void There_is_a_migration_for_every_provider() =>
        Assert.That(StoreProviders.All.Select(p => Migrations.Scripts(p).Count), Is.All.GreaterThan(0));
}
