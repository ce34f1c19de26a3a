namespace ExternalAction.TestSupport;

/// <summary>
/// A PostgreSQL server of a suite's own (infra/postgres.sh with <c>EXTERNALACTION_POSTGRES_PORT</c>: its own data
/// directory, 127.0.0.1:<paramref name="Port"/>, postgres/postgres), for tests that stop and start their database
/// while every other suite keeps the shared server on 5432. Needs root (initdb and pg_ctl run as the postgres user).
/// </summary>
public sealed record LocalPostgres(int Port)
{
    public string ServerConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Password=postgres;Database=postgres";

    public Task StartAsync() => RunAsync("start");

    /// <summary>A fast shutdown: open connections are cut, as when a database server restarts.</summary>
    public Task StopAsync() => RunAsync("stop");

    private Task RunAsync(string verb) => InfraScript.RunAsync("postgres.sh", [verb],
        new Dictionary<string, string?> { ["EXTERNALACTION_POSTGRES_PORT"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture) });
}
