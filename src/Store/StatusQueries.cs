using System.Data.Common;
using System.Globalization;
using System.Text;
using Dapper;

namespace ExternalAction.Store;

/// <summary>
/// Support's questions to the status table (the Api's support endpoints): one request, its history, filtered pages and
/// counts by status. Reads only; the writes are <see cref="StatusStore"/>'s, on the same data source and dialect.
/// </summary>
public sealed class StatusQueries
{
    private readonly DbDataSource _db;
    private readonly SqlDialect _dialect;

    static StatusQueries() => UnixMilliseconds.Configure();

    private const string TransitionsSql = """
            SELECT id, request_id, from_status, to_status, at, detail
              FROM action_request_transitions
             WHERE request_id = @RequestId
             ORDER BY id
            """;

    private const string CountsSql = """
            SELECT action_name, status, COUNT(*) AS count
              FROM action_requests
             WHERE (@Action IS NULL OR action_name = @Action)
               AND (@From IS NULL OR received_at >= @From)
               AND (@To IS NULL OR received_at < @To)
             GROUP BY action_name, status
             ORDER BY action_name, status
            """;

    internal StatusQueries(DbDataSource db, SqlDialect dialect)
    {
        _db = db;
        _dialect = dialect;
    }

    public async Task<RequestRecord?> GetAsync(string requestId, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        return await RequestRows.GetAsync(connection, requestId, ct);
    }

    public async Task<IReadOnlyList<TransitionRecord>> GetTransitionsAsync(string requestId, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        return (await connection.QueryAsync<TransitionRecord>(new CommandDefinition(TransitionsSql, new { RequestId = requestId }, cancellationToken: ct))).ToList();
    }

    /// <summary>Filtered list, newest first, with keyset paging (stable under concurrent inserts).</summary>
    public async Task<RequestPage> QueryAsync(RequestQuery query, CancellationToken ct)
    {
        var take = Math.Clamp(query.PageSize, 1, 500);
        var (where, parameters) = Filters(query);
        parameters.Add("Take", take + 1);
        if (Cursor.TryParse(query.Cursor, out var afterReceived, out var afterId))
        {
            where.Append(" AND (received_at < @AfterReceived OR (received_at = @AfterReceived AND request_id < @AfterId))");
            parameters.Add("AfterReceived", afterReceived);
            parameters.Add("AfterId", afterId);
        }

        await using var connection = await _db.OpenConnectionAsync(ct);
        var rows = (await connection.QueryAsync<RequestRecord>(new CommandDefinition(
            QuerySql(where.ToString(), _dialect),
            parameters, cancellationToken: ct))).ToList();
        var items = rows.Take(take).Select(r => RequestRows.Shown(r)!).ToList();
        var next = rows.Count > take ? Cursor.Create(rows[take - 1].ReceivedAt.ToUnixTimeMilliseconds(), rows[take - 1].RequestId) : null;
        return new RequestPage(items, next);
    }

    /// <summary>The WHERE clause and parameters of a query's filters (all but the cursor).</summary>
    private static (StringBuilder Where, DynamicParameters Parameters) Filters(RequestQuery query)
    {
        var where = new StringBuilder("WHERE 1 = 1");
        var parameters = new DynamicParameters();
        if (query.Status is not null) { where.Append(" AND status = @Status"); parameters.Add("Status", query.Status); }
        if (query.Action is not null) { where.Append(" AND action_name = @Action"); parameters.Add("Action", query.Action); }
        if (query.Contract is not null) { where.Append(" AND contract = @Contract"); parameters.Add("Contract", query.Contract); }
        if (query.JourneyId is not null) { where.Append(" AND journey_id = @JourneyId"); parameters.Add("JourneyId", query.JourneyId); }
        if (query.Journey is not null) { where.Append(" AND (journey_id = @Journey OR journey_name = @Journey)"); parameters.Add("Journey", query.Journey); }
        if (query.JourneyInstanceId is not null) { where.Append(" AND journey_instance_id = @JourneyInstanceId"); parameters.Add("JourneyInstanceId", query.JourneyInstanceId); }
        if (query.From is { } from) { where.Append(" AND received_at >= @From"); parameters.Add("From", from); }
        if (query.To is { } to) { where.Append(" AND received_at < @To"); parameters.Add("To", to); }
        if (query.EntityId is not null)
        {
            where.Append($" AND {EntityMatch}");
            parameters.Add("EntityId", query.EntityId);
            parameters.Add("PersonPattern", $"%,{EscapeLike(query.EntityId)},%");
        }
        return (where, parameters);
    }

    /// <summary>Counts by status of the rows a query's filters match (its status filter too; paging ignored).</summary>
    public async Task<IReadOnlyList<StatusTotal>> CountByStatusAsync(RequestQuery query, CancellationToken ct)
    {
        var (where, parameters) = Filters(query);
        await using var connection = await _db.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<CountRow>(new CommandDefinition(FilteredCountsSql(where.ToString()), parameters, cancellationToken: ct));
        return rows.Select(r => new StatusTotal(r.Status, r.Count)).ToList();
    }

    private static string FilteredCountsSql(string where) =>
        $"SELECT '' AS action_name, status, COUNT(*) AS count FROM action_requests {where} GROUP BY status ORDER BY status";

    /// <summary>Unfinished requests whose deadline is before <paramref name="before"/>, soonest first.</summary>
    public async Task<IReadOnlyList<RequestRecord>> DeadlineBeforeAsync(DateTimeOffset before, int take, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<RequestRecord>(new CommandDefinition(DeadlineBeforeSql(_dialect),
            new { Before = before, Take = Math.Clamp(take, 1, 500) }, cancellationToken: ct));
        return rows.Select(r => RequestRows.Shown(r)!).ToList();
    }

    /// <summary>How many unfinished requests have a deadline before <paramref name="before"/> (the at-risk count).</summary>
    public async Task<long> CountDeadlineBeforeAsync(DateTimeOffset before, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(CountDeadlineBeforeSql, new { Before = before }, cancellationToken: ct));
    }

    /// <summary>How many requests ended in a state an operator replays from (their message dead-lettered) at or after <paramref name="since"/>.</summary>
    public async Task<long> CountEndedSinceAsync(DateTimeOffset since, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(CountEndedSinceSql, new { Since = since }, cancellationToken: ct));
    }

    private static readonly string CountEndedSinceSql =
        $"SELECT COUNT(*) FROM action_requests WHERE {Lifecycle.LifecycleSql.In("status", Lifecycle.RequestLifecycle.Replayable)} AND updated_at >= @Since";

    private static readonly string CountDeadlineBeforeSql =
        $"SELECT COUNT(*) FROM action_requests WHERE NOT {Lifecycle.LifecycleSql.IsFinal} AND deadline_at < @Before";

    private static string DeadlineBeforeSql(SqlDialect dialect) =>
        $"SELECT {RequestColumns.Select()} FROM action_requests WHERE NOT {Lifecycle.LifecycleSql.IsFinal} AND deadline_at < @Before ORDER BY deadline_at, request_id {dialect.Limit}";

    /// <summary>
    /// What the dashboard draws from: action, status, received and last-update time of up to <paramref name="take"/>
    /// requests received since <paramref name="since"/>, newest first.
    /// </summary>
    public async Task<IReadOnlyList<ActivityRow>> ActivitySinceAsync(DateTimeOffset since, int take, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<ActivityRow>(new CommandDefinition(ActivitySql(_dialect),
            new { Since = since, Take = take }, cancellationToken: ct));
        return rows.ToList();
    }

    private static string ActivitySql(SqlDialect dialect) =>
        $"SELECT action_name, status, outcome, received_at, updated_at FROM action_requests WHERE received_at >= @Since ORDER BY received_at DESC {dialect.Limit}";

    public async Task<IReadOnlyList<StatusCount>> CountByStatusAsync(string? action, DateTimeOffset? from, DateTimeOffset? to, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<CountRow>(new CommandDefinition(CountsSql, new { Action = action, From = from, To = to }, cancellationToken: ct));
        return rows.Select(r => new StatusCount(r.ActionName, r.Status, r.Count)).ToList();
    }

    private static string QuerySql(string where, SqlDialect dialect) =>
        $"SELECT {RequestColumns.Select()} FROM action_requests {where} ORDER BY received_at DESC, request_id DESC {dialect.Limit}";

    /// <summary>An entity id is a lead, account or person id (B2B) or a contact key (SFMC, AJO custom actions).</summary>
    private const string EntityMatch = "(lead_id = @EntityId OR account_id = @EntityId OR contact_key = @EntityId OR person_ids LIKE @PersonPattern ESCAPE '\\')";

    private const string AllFilters = "WHERE 1 = 1 AND status = @Status AND action_name = @Action AND contract = @Contract AND journey_id = @JourneyId"
        + " AND (journey_id = @Journey OR journey_name = @Journey)"
        + " AND journey_instance_id = @JourneyInstanceId AND received_at >= @From AND received_at < @To AND " + EntityMatch
        + " AND (received_at < @AfterReceived OR (received_at = @AfterReceived AND request_id < @AfterId))";

    /// <summary>Every statement this class runs (with all query filters on), so tests can parse them for SQL Server.</summary>
    internal static IEnumerable<(string Name, string Sql)> Statements =>
    [
        (nameof(RequestRows.SelectById), RequestRows.SelectById), (nameof(TransitionsSql), TransitionsSql), (nameof(CountsSql), CountsSql),
        ("QuerySql", QuerySql(AllFilters, SqlDialect.For(StoreProviders.SqlServer))),
        ("FilteredCountsSql", FilteredCountsSql(AllFilters[..AllFilters.LastIndexOf(" AND (received_at <", StringComparison.Ordinal)])),
        ("DeadlineBeforeSql", DeadlineBeforeSql(SqlDialect.For(StoreProviders.SqlServer))),
        (nameof(CountDeadlineBeforeSql), CountDeadlineBeforeSql),
        (nameof(CountEndedSinceSql), CountEndedSinceSql),
        ("ActivitySql", ActivitySql(SqlDialect.For(StoreProviders.SqlServer))),
    ];

    /// <summary>Makes the id match itself only: <c>%</c>, <c>_</c> (and SQL Server's <c>[</c>) escaped with <c>\</c>.</summary>
    private static string EscapeLike(string value) => value
        .Replace("\\", "\\\\", StringComparison.Ordinal)
        .Replace("%", "\\%", StringComparison.Ordinal)
        .Replace("_", "\\_", StringComparison.Ordinal)
        .Replace("[", "\\[", StringComparison.Ordinal);

    /// <summary>COUNT(*) is an int in SQL Server and a bigint elsewhere: read into a settable long, not a constructor.</summary>
    private sealed class CountRow
    {
        public string ActionName { get; set; } = "";
        public string Status { get; set; } = "";
        public long Count { get; set; }
    }

    /// <summary>The opaque paging cursor: the last row's received time and id.</summary>
    private static class Cursor
    {
        public static string Create(long receivedAt, string requestId) =>
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{receivedAt}|{requestId}"));

        public static bool TryParse(string? cursor, out long receivedAt, out string requestId)
        {
            receivedAt = 0;
            requestId = "";
            if (string.IsNullOrEmpty(cursor))
                return false;
            try
            {
                var parts = Encoding.UTF8.GetString(Convert.FromBase64String(cursor)).Split('|', 2);
                if (parts.Length == 2 && long.TryParse(parts[0], CultureInfo.InvariantCulture, out receivedAt))
                {
                    requestId = parts[1];
                    return true;
                }
            }
            catch (FormatException)
            {
            }
            throw new ArgumentException("The paging cursor is not one this service issued.", nameof(cursor));
        }
    }
}
