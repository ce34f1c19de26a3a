using System.Data.Common;
using System.Text;
using Dapper;

namespace ExternalAction.Store.Rules;

/// <summary>One entry of the suppression list: a channel kind (or <c>contact</c>) and a normalised address or contact id.</summary>
public sealed record Suppression(string Kind, string Address, string? Reason, string CreatedBy, DateTimeOffset CreatedAt);

/// <summary>One audited change of the suppression list.</summary>
public sealed record SuppressionChange(long Id, string Kind, string Address, string Change, string? Reason, string ChangedBy, DateTimeOffset At);

public sealed record SuppressionPage(IReadOnlyList<Suppression> Items, string? NextCursor);

/// <summary>What a frequency-cap reservation came to: a slot taken (or already held by this request), or the cap is full.</summary>
public sealed record CapReservation(bool Allowed, int Counted);

/// <summary>
/// The store side of the delivery rules: the suppression list with its audit, and the frequency-cap counters. A cap is
/// counted atomically across every Processor instance: a reservation holds the key's lock (PostgreSQL advisory lock,
/// SQL Server application lock, SQLite's single writer) for one transaction that counts the key's deliveries in the
/// window and records this request's only when a slot is free. One row per (key, request): a retried delivery of the
/// same request never counts twice.
/// </summary>
public sealed class DeliveryRulesStore
{
    private readonly DbDataSource _db;
    private readonly SqlDialect _dialect;

    internal DeliveryRulesStore(DbDataSource db, SqlDialect dialect)
    {
        _db = db;
        _dialect = dialect;
    }

    internal const string FindSql = "SELECT kind, address, reason, created_by, created_at FROM suppressions WHERE kind = @Kind AND address = @Address";
    internal const string InsertSql = "INSERT INTO suppressions (kind, address, reason, created_by, created_at) SELECT @Kind, @Address, @Reason, @By, @At WHERE NOT EXISTS (SELECT 1 FROM suppressions WHERE kind = @Kind AND address = @Address)";
    internal const string DeleteSql = "DELETE FROM suppressions WHERE kind = @Kind AND address = @Address";
    internal const string AuditSql = "INSERT INTO suppression_audit (kind, address, change, reason, changed_by, at) VALUES (@Kind, @Address, @Change, @Reason, @By, @At)";
    internal const string HistorySql = "SELECT id, kind, address, change, reason, changed_by, at FROM suppression_audit WHERE kind = @Kind AND address = @Address ORDER BY id";
    internal const string HeldSql = "SELECT COUNT(*) FROM delivery_caps WHERE cap_key = @Key AND request_id = @RequestId";
    internal const string CountSql = "SELECT COUNT(*) FROM delivery_caps WHERE cap_key = @Key AND at > @Since";
    internal const string ReserveSql = "INSERT INTO delivery_caps (cap_key, request_id, at) VALUES (@Key, @RequestId, @At)";
    internal const string ReleaseSql = "DELETE FROM delivery_caps WHERE cap_key = @Key AND request_id = @RequestId";
    internal const string PurgeCapsSql = "DELETE FROM delivery_caps WHERE at <= @Before";

    /// <summary>The first of <paramref name="keys"/> (kind, normalised address) on the list, or null.</summary>
    public async Task<Suppression?> FindAsync(IReadOnlyCollection<(string Kind, string Address)> keys, CancellationToken ct)
    {
        if (keys.Count == 0)
            return null;
        await using var connection = await _db.OpenConnectionAsync(ct);
        foreach (var (kind, address) in keys)
        {
            var row = await connection.QuerySingleOrDefaultAsync<Suppression>(new CommandDefinition(FindSql, new { Kind = kind, Address = address }, cancellationToken: ct));
            if (row is not null)
                return row;
        }
        return null;
    }

    /// <summary>Adds an entry (false when it was there already, which changes nothing); audited either way.</summary>
    public async Task<bool> AddAsync(string kind, string address, string? reason, string by, DateTimeOffset at, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var added = await connection.ExecuteAsync(new CommandDefinition(InsertSql, new { Kind = kind, Address = address, Reason = reason, By = by, At = at }, tx, cancellationToken: ct)) == 1;
        await connection.ExecuteAsync(new CommandDefinition(AuditSql, new { Kind = kind, Address = address, Change = added ? "added" : "added-again", Reason = reason, By = by, At = at }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return added;
    }

    /// <summary>Removes an entry (false when there was none); audited when it was there.</summary>
    public async Task<bool> RemoveAsync(string kind, string address, string? reason, string by, DateTimeOffset at, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var removed = await connection.ExecuteAsync(new CommandDefinition(DeleteSql, new { Kind = kind, Address = address }, tx, cancellationToken: ct)) == 1;
        if (removed)
            await connection.ExecuteAsync(new CommandDefinition(AuditSql, new { Kind = kind, Address = address, Change = "removed", Reason = reason, By = by, At = at }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return removed;
    }

    /// <summary>Entries in (kind, address) order, optionally of one kind, with keyset paging.</summary>
    public async Task<SuppressionPage> ListAsync(string? kind, int pageSize, string? cursor, CancellationToken ct)
    {
        var take = Math.Clamp(pageSize, 1, 500);
        var where = new StringBuilder("WHERE 1 = 1");
        var parameters = new DynamicParameters();
        parameters.Add("Take", take + 1);
        if (kind is not null) { where.Append(" AND kind = @Kind"); parameters.Add("Kind", kind); }
        if (cursor is not null)
        {
            var (afterKind, afterAddress) = ParseCursor(cursor);
            where.Append(" AND (kind > @AfterKind OR (kind = @AfterKind AND address > @AfterAddress))");
            parameters.Add("AfterKind", afterKind);
            parameters.Add("AfterAddress", afterAddress);
        }
        await using var connection = await _db.OpenConnectionAsync(ct);
        var rows = (await connection.QueryAsync<Suppression>(new CommandDefinition(ListSql(where.ToString()), parameters, cancellationToken: ct))).ToList();
        var items = rows.Take(take).ToList();
        var next = rows.Count > take ? Convert.ToBase64String(Encoding.UTF8.GetBytes($"{items[^1].Kind}\n{items[^1].Address}")) : null;
        return new SuppressionPage(items, next);
    }

    internal string ListSql(string where) =>
        $"SELECT kind, address, reason, created_by, created_at FROM suppressions {where} ORDER BY kind, address {_dialect.Limit}";

    public async Task<IReadOnlyList<SuppressionChange>> HistoryAsync(string kind, string address, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        return [.. await connection.QueryAsync<SuppressionChange>(new CommandDefinition(HistorySql, new { Kind = kind, Address = address }, cancellationToken: ct))];
    }

    /// <summary>
    /// Takes a slot of cap <paramref name="key"/> for <paramref name="requestId"/> when fewer than <paramref name="max"/>
    /// deliveries were counted since <paramref name="since"/> (a slot this request already holds is kept, not counted again).
    /// </summary>
    public async Task<CapReservation> ReserveAsync(string key, string requestId, int max, DateTimeOffset since, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        if (_dialect.CapLock is { } capLock)
            await connection.ExecuteAsync(new CommandDefinition(capLock, new { Key = key }, tx, cancellationToken: ct));
        var args = new { Key = key, RequestId = requestId, Since = since, At = now };
        var counted = await connection.ExecuteScalarAsync<int>(new CommandDefinition(CountSql, args, tx, cancellationToken: ct));
        if (await connection.ExecuteScalarAsync<int>(new CommandDefinition(HeldSql, args, tx, cancellationToken: ct)) > 0)
        {
            await tx.CommitAsync(ct);
            return new CapReservation(true, counted);
        }
        if (counted >= max)
        {
            await tx.CommitAsync(ct);
            return new CapReservation(false, counted);
        }
        await connection.ExecuteAsync(new CommandDefinition(ReserveSql, args, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return new CapReservation(true, counted + 1);
    }

    /// <summary>Deliveries counted for cap <paramref name="key"/> since <paramref name="since"/>; reads only (the preview's check).</summary>
    public async Task<int> CountAsync(string key, DateTimeOffset since, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        return await connection.ExecuteScalarAsync<int>(new CommandDefinition(CountSql, new { Key = key, Since = since }, cancellationToken: ct));
    }

    /// <summary>Gives a slot back (the delivery it was taken for was refused for good, so nothing reached the contact).</summary>
    public async Task ReleaseAsync(string key, string requestId, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(ReleaseSql, new { Key = key, RequestId = requestId }, cancellationToken: ct));
    }

    /// <summary>Deletes cap rows no window can count any more (older than <paramref name="before"/>).</summary>
    public async Task<int> PurgeCapsAsync(DateTimeOffset before, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition(PurgeCapsSql, new { Before = before }, cancellationToken: ct));
    }

    private static (string Kind, string Address) ParseCursor(string cursor)
    {
        try
        {
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(cursor)).Split('\n', 2);
            return parts.Length == 2 ? (parts[0], parts[1]) : throw new ArgumentException("not a suppression cursor", nameof(cursor));
        }
        catch (FormatException e)
        {
            throw new ArgumentException("not a suppression cursor", nameof(cursor), e);
        }
    }

    /// <summary>Every statement, for the SQL Server parse check.</summary>
    internal IEnumerable<(string Name, string Sql)> Statements =>
    [
        (nameof(FindSql), FindSql), (nameof(InsertSql), InsertSql), (nameof(DeleteSql), DeleteSql), (nameof(AuditSql), AuditSql),
        (nameof(HistorySql), HistorySql), (nameof(HeldSql), HeldSql), (nameof(CountSql), CountSql), (nameof(ReserveSql), ReserveSql),
        (nameof(ReleaseSql), ReleaseSql), (nameof(PurgeCapsSql), PurgeCapsSql),
        ("ListSql", ListSql("WHERE 1 = 1 AND kind = @Kind AND (kind > @AfterKind OR (kind = @AfterKind AND address > @AfterAddress))")),
        ("CapLock", _dialect.CapLock ?? "SELECT 1"),
    ];
}
