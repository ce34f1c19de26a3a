using System.Collections.Concurrent;
using System.Data;
using System.Data.Common;
using System.Globalization;
using Dapper;
using ExternalAction.Store.Lifecycle;

namespace ExternalAction.Store;

/// <summary>
/// The status table's write side: one row per request and its history of transitions, written by the Processor
/// (record, claim, update) and the retention purge. Every status change is one the lifecycle table allows
/// (<see cref="RequestLifecycle.Transitions"/>); the conditions below are built from it. Support's reads are
/// <see cref="StatusQueries"/>. Dapper over the configured provider; SQL sits next to each call.
/// </summary>
public sealed class StatusStore : IAsyncDisposable, IDisposable
{
    private readonly DbDataSource _db;
    private readonly GroupCommit? _groupCommit;
    private readonly SqlDialect _dialect;
    private readonly TimeProvider _clock;

    static StatusStore() => UnixMilliseconds.Configure();

    private const string PingSql = "SELECT 1";

    private static readonly string Claimable = $"""
            request_id = @RequestId
               AND (request_hash IS NULL OR @RequestHash IS NULL OR request_hash = @RequestHash)
               AND {LifecycleSql.Claimable}
            """;

    private static readonly string ClaimSet =
        $"status = {LifecycleSql.Literal(LifecycleSql.Claimed)}, lease_owner = @Owner, lease_until = @LeaseUntil, updated_at = @Now";

    private static readonly string ClaimDetail =
        $"CASE WHEN {LifecycleSql.ClaimedAfterLease("{from}")} THEN {SqlDialect.Quoted(SqlDialect.ReclaimedDetail)} ELSE {SqlDialect.Quoted(SqlDialect.ClaimedDetail)} END";

    /// <summary>The claim and its transition under one condition (see <see cref="SqlDialect.UpdateWithTransition"/>): the claimed row, or none.</summary>
    private static string ClaimSql(SqlDialect dialect) =>
        dialect.UpdateWithTransition(ClaimSet, Claimable, LifecycleSql.Literal(LifecycleSql.Claimed), ClaimDetail, returnRow: true);

    private const string OwnedRow = "request_id = @RequestId AND (@LeaseOwner IS NULL OR lease_owner = @LeaseOwner)";

    /// <summary>
    /// A status update of <paramref name="shape"/> and its transition under one condition: the owner's row, in a status
    /// from which the table lets an update reach the new one (<paramref name="allowedFrom"/>). Selects the number of rows
    /// changed (0 or 1).
    /// </summary>
    private static string UpdateSql(SqlDialect dialect, string allowedFrom, UpdateShape shape) =>
        dialect.UpdateWithTransition(RequestColumns.UpdateSet(shape), $"{OwnedRow} AND {allowedFrom}", "@Status", "@Detail", returnRow: false);

    /// <summary>Per status an update may reach, by its name, the statuses it may come from; a status missing here no update reaches.</summary>
    private static Dictionary<string, string> UpdatableFrom() =>
        Enum.GetValues<RequestStatus>()
            .Select(to => (To: to, From: LifecycleSql.UpdatableTo(to)))
            .Where(u => u.From is not null)
            .ToDictionary(u => u.To.ToString(), u => u.From!, StringComparer.Ordinal);

    /// <summary>
    /// An operator's replay: from a state the table lets an operator replay (and, unless a re-delivery is asked for, not
    /// a request the channel already has with no report kept to resend), back to the state a claim takes, with a fresh
    /// deadline and no lease, next attempt or last error (the history keeps it). A re-delivery also clears the delivery time and the kept report body, so
    /// the next attempt delivers and builds its report again.
    /// </summary>
    private static string ReplaySql(SqlDialect dialect) => dialect.UpdateWithTransition(
        $"""
        status = {LifecycleSql.Literal(RequestLifecycle.ReplayedTo)}, deadline_at = @DeadlineAt, next_attempt_at = NULL, lease_owner = NULL, lease_until = NULL,
               delivered_at = CASE WHEN @Redeliver = 1 THEN NULL ELSE delivered_at END,
               callback_body = CASE WHEN @Redeliver = 1 THEN NULL ELSE callback_body END,
               last_error = NULL, updated_at = @Now
        """,
        $"request_id = @RequestId AND {LifecycleSql.In("status", RequestLifecycle.Replayable)} AND (@Redeliver = 1 OR delivered_at IS NULL OR callback_body IS NOT NULL)",
        LifecycleSql.Literal(RequestLifecycle.ReplayedTo), "@Detail", returnRow: false);

    /// <summary>The first transition of rows just inserted.</summary>
    private static string ReceivedTransitionsSql(SqlDialect dialect) => $"""
            INSERT INTO action_request_transitions (request_id, to_status, at, detail)
            SELECT request_id, {LifecycleSql.Literal(LifecycleSql.Inserted)}, @Now, {SqlDialect.Quoted(SqlDialect.AcceptedDetail)}
              FROM action_requests
             WHERE request_id {dialect.InList("Ids")}
            """;

    /// <summary>Keyset position of a purge pass, so a batch never re-reads the rows the ones before it already handled.</summary>
    private const string AfterBatch = "(received_at > @AfterReceived OR (received_at = @AfterReceived AND request_id > @AfterId))";

    private static string PayloadBatchSql(SqlDialect dialect) =>
        dialect.LockedBatch($"{LifecycleSql.IsFinal} AND received_at < @Cutoff AND (request_payload IS NOT NULL OR callback_body IS NOT NULL) AND {AfterBatch}");

    private static string DeleteBatchSql(SqlDialect dialect) => dialect.LockedBatch($"{LifecycleSql.IsFinal} AND received_at < @Cutoff AND {AfterBatch}");

    // By id only: the batch's rows are locked by this transaction (SQLite: the whole database is), so they are still
    // final and past the cutoff. The history goes in the same transaction as its row.
    private static string ClearPayloadsSql(SqlDialect dialect) =>
        $"UPDATE action_requests SET request_payload = NULL, callback_body = NULL WHERE request_id {dialect.InList("Ids")}";

    private static string DeleteTransitionsSql(SqlDialect dialect) => $"DELETE FROM action_request_transitions WHERE request_id {dialect.InList("Ids")}";

    private static string DeleteRowsSql(SqlDialect dialect) => $"DELETE FROM action_requests WHERE request_id {dialect.InList("Ids")}";

    // The provider's statements, built once: the Processor runs them several times per request.
    private readonly BoundStatement<ClaimArgs> _claim;
    private readonly BoundStatement<ClaimArgs>? _insertClaimed;
    private readonly Dictionary<string, UpdateStatements> _updates;
    private readonly BoundStatement<InsertArgs>?[] _inserts = new BoundStatement<InsertArgs>?[SqlDialect.InsertChunk + 1];
    private readonly string _replaySql;
    private readonly string _receivedTransitionsSql;
    private readonly string _payloadBatchSql;
    private readonly string _deleteBatchSql;
    private readonly string _clearPayloadsSql;
    private readonly string _deleteTransitionsSql;
    private readonly string _deleteRowsSql;

    /// <param name="groupCommit">Writes claims and updates through a <see cref="GroupCommit"/> with these settings; null: one
    /// transaction per call.</param>
    internal StatusStore(DbDataSource db, SqlDialect dialect, TimeProvider clock, GroupCommitOptions? groupCommit = null)
    {
        _db = db;
        if (groupCommit is { Writers: > 0 } group)
            _groupCommit = new GroupCommit(db, group.Writers.Value, group.MaxCalls, TimeSpan.FromMilliseconds(group.GatherMs), clock);
        _dialect = dialect;
        _clock = clock;
        _claim = new BoundStatement<ClaimArgs>(dialect, ClaimSql(dialect), ClaimParameter);
        if (dialect.InsertClaimed is { } insertClaimed)
            _insertClaimed = new BoundStatement<ClaimArgs>(dialect, insertClaimed, ClaimParameter);
        _updates = UpdatableFrom().ToDictionary(u => u.Key, u => new UpdateStatements(dialect, u.Value), StringComparer.Ordinal);
        _replaySql = ReplaySql(dialect);
        _receivedTransitionsSql = ReceivedTransitionsSql(dialect);
        _payloadBatchSql = PayloadBatchSql(dialect);
        _deleteBatchSql = DeleteBatchSql(dialect);
        _clearPayloadsSql = ClearPayloadsSql(dialect);
        _deleteTransitionsSql = DeleteTransitionsSql(dialect);
        _deleteRowsSql = DeleteRowsSql(dialect);
    }

    public string Provider => _dialect.Provider;

    /// <summary>The group commit itself (tests hold its writer with a call of their own).</summary>
    internal GroupCommit? Group => _groupCommit;

    /// <summary>Lets the group commit finish the calls it holds.</summary>
    public ValueTask DisposeAsync() => _groupCommit?.DisposeAsync() ?? ValueTask.CompletedTask;

    /// <summary>Takes no more calls; those the group commit holds are still written (a container disposed synchronously).</summary>
    public void Dispose() => _groupCommit?.Complete();

    public Task MigrateAsync(CancellationToken ct) => Migrations.ApplyAsync(_db, _dialect, _clock, ct);

    /// <summary>
    /// Inserts rows in their first status for those not present yet (either order with <see cref="ClaimAsync"/> works):
    /// one insert statement per 100 rows plus one for their transitions, in one transaction. Returns how many rows were new.
    /// </summary>
    public async Task<int> InsertReceivedAsync(IReadOnlyCollection<NewRequest> rows, CancellationToken ct)
    {
        if (rows.Count == 0)
            return 0;
        // Sorted, so two writers with overlapping batches lock the same keys in the same order (no deadlock).
        var ordered = rows.DistinctBy(r => r.RequestId).OrderBy(r => r.RequestId, StringComparer.Ordinal).ToList();
        await using var connection = await _db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var now = _clock.GetUtcNow();
        var inserted = 0;
        foreach (var chunk in ordered.Chunk(SqlDialect.InsertChunk))
            inserted += await InsertIfAbsentAsync(connection, tx, chunk, now, ct);
        await tx.CommitAsync(ct);
        return inserted;
    }

    /// <summary>
    /// Inserts the row if absent, then claims it for <paramref name="owner"/> when the lifecycle lets a claim take it
    /// (waiting, or its owner's lease ran out). One conditional UPDATE, so two claimants never both win. Where the
    /// dialect can insert a row already claimed (<see cref="SqlDialect.InsertClaimed"/>), that comes first: it is the
    /// usual case, the Processor being faster than the Api's row writer.
    /// </summary>
    public Task<ClaimResult> ClaimAsync(NewRequest row, string owner, DateTimeOffset now, TimeSpan lease, CancellationToken ct) =>
        _groupCommit is { } group
            ? group.RunAsync(row.RequestId, (connection, tx, t) => ClaimAsync(connection, tx, row, owner, now, lease, t), ct)
            : OnConnectionAsync(connection => ClaimAsync(connection, null, row, owner, now, lease, ct), ct);

    /// <param name="shared">A transaction other calls share (<see cref="GroupCommit"/>), or null: then the statements
    /// that need one get their own.</param>
    private async Task<ClaimResult> ClaimAsync(DbConnection connection, DbTransaction? shared, NewRequest row, string owner, DateTimeOffset now, TimeSpan lease, CancellationToken ct)
    {
        var parameters = new ClaimArgs(row, owner, now + lease, now);
        if (_insertClaimed is { } insertClaimed)
        {
            await using var command = insertClaimed.Command(connection, shared, parameters);
            if (await SingleRowAsync(command, ct) is { } inserted)
                return new ClaimResult(true, RequestRows.Shown(inserted)!);
        }
        var claimed = await ClaimOnceAsync(connection, shared, parameters, ct);
        if (claimed is null && _insertClaimed is null)
        {
            // Usually the Api's row writer inserted the row already. When nothing matched, the row may be missing or just
            // being inserted by the Api (our insert then waits for its commit and does nothing): claim again either way.
            if (shared is not null)
                await InsertIfAbsentAsync(connection, shared, [row], now, ct);
            else
            {
                await using var tx = await connection.BeginTransactionAsync(ct);
                await InsertIfAbsentAsync(connection, tx, [row], now, ct);
                await tx.CommitAsync(ct);
            }
            claimed = await ClaimOnceAsync(connection, shared, parameters, ct);
        }
        return claimed is not null
            ? new ClaimResult(true, RequestRows.Shown(claimed)!)
            : new ClaimResult(false, (await RequestRows.GetAsync(connection, row.RequestId, ct, shared))!);
    }

    private async Task<RequestRecord?> ClaimOnceAsync(DbConnection connection, DbTransaction? shared, ClaimArgs parameters, CancellationToken ct)
    {
        await using var own = _dialect.UpdateIsOneStatement || shared is not null ? null : await connection.BeginTransactionAsync(ct);
        RequestRecord? claimed;
        await using (var command = _claim.Command(connection, shared ?? own, parameters))
            claimed = await SingleRowAsync(command, ct);
        if (own is not null)
            await own.CommitAsync(ct);
        return claimed;
    }

    /// <summary>The first row a command selects, read by Dapper's row parser (so its mapping and time handler apply), or null.</summary>
    private static async Task<RequestRecord?> SingleRowAsync(DbCommand command, CancellationToken ct)
    {
        await using var reader = await command.ExecuteReaderAsync(ct);
        var row = await reader.ReadAsync(ct) ? reader.GetRowParser<RequestRecord>()(reader) : null;
        while (await reader.NextResultAsync(ct))
        {
            // as Dapper does: an error raised by a later statement is not swallowed
        }
        return row;
    }

    private async Task<T> OnConnectionAsync<T>(Func<DbConnection, Task<T>> work, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        return await work(connection);
    }

    /// <summary>
    /// Sets the status and the given columns and appends a transition, when the lifecycle lets a Processor step or the
    /// deadline move the row from its current status to <see cref="StatusUpdate.Status"/>; with a lease owner, only that
    /// owner's row. False (and nothing recorded) otherwise.
    /// </summary>
    public Task<bool> UpdateAsync(string requestId, StatusUpdate update, string? leaseOwner, CancellationToken ct)
    {
        if (!_updates.TryGetValue(update.Status, out var statements))
            return Task.FromResult(false); // no update reaches that status from any state (or it is no status at all)
        var sql = statements.For(UpdateShape.Of(update));
        return _groupCommit is { } group
            ? group.RunAsync(requestId, (connection, tx, t) => UpdateAsync(connection, tx, sql, requestId, update, leaseOwner, t), ct)
            : OnConnectionAsync(connection => UpdateAsync(connection, null, sql, requestId, update, leaseOwner, ct), ct);
    }

    private async Task<bool> UpdateAsync(DbConnection connection, DbTransaction? shared, BoundStatement<UpdateArgs> sql, string requestId, StatusUpdate update, string? leaseOwner, CancellationToken ct)
    {
        await using var own = _dialect.UpdateIsOneStatement || shared is not null ? null : await connection.BeginTransactionAsync(ct);
        bool changed;
        await using (var command = sql.Command(connection, shared ?? own, new UpdateArgs(requestId, update, leaseOwner, _clock.GetUtcNow())))
            changed = Convert.ToInt64(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture) > 0;
        if (own is not null)
            await own.CommitAsync(ct);
        return changed;
    }

    /// <summary>What a claim binds: the row (its columns and its id and hash), the claimant, its lease and the time.</summary>
    private sealed record ClaimArgs(NewRequest Row, string Owner, DateTimeOffset LeaseUntil, DateTimeOffset Now);

    private static BoundStatement<ClaimArgs>.Parameter ClaimParameter(string name) => name switch
    {
        "Owner" => BoundStatement<ClaimArgs>.Parameter.Of(a => a.Owner),
        "LeaseUntil" => BoundStatement<ClaimArgs>.Parameter.Of(a => a.LeaseUntil),
        "Now" => BoundStatement<ClaimArgs>.Parameter.Of(a => a.Now),
        _ => RequestColumns.RowParameter<ClaimArgs>(name, a => a.Row) ?? throw Unbound(name),
    };

    /// <summary>What a status update binds: the row's id and owner, the update's columns and the time.</summary>
    private sealed record UpdateArgs(string RequestId, StatusUpdate Update, string? LeaseOwner, DateTimeOffset Now);

    /// <summary>The updates to one status: one statement per <see cref="UpdateShape"/>, bound on first use.</summary>
    private sealed class UpdateStatements(SqlDialect dialect, string allowedFrom)
    {
        private readonly ConcurrentDictionary<UpdateShape, BoundStatement<UpdateArgs>> _byShape = new();

        public BoundStatement<UpdateArgs> For(UpdateShape shape) =>
            _byShape.TryGetValue(shape, out var statement)
                ? statement
                : _byShape.GetOrAdd(shape, s => new BoundStatement<UpdateArgs>(dialect, UpdateSql(dialect, allowedFrom, s), UpdateParameter));
    }

    private static BoundStatement<UpdateArgs>.Parameter UpdateParameter(string name) => name switch
    {
        "RequestId" => BoundStatement<UpdateArgs>.Parameter.Of(a => a.RequestId),
        "LeaseOwner" => BoundStatement<UpdateArgs>.Parameter.Of(a => a.LeaseOwner),
        "Now" => BoundStatement<UpdateArgs>.Parameter.Of(a => a.Now),
        // Compared with 1 in SQL: every provider reads an integer the same way, a boolean parameter not.
        "ClearNextAttempt" => BoundStatement<UpdateArgs>.Parameter.Of(a => a.Update.ClearNextAttempt ? 1 : 0),
        "ReleaseLease" => BoundStatement<UpdateArgs>.Parameter.Of(a => a.Update.ReleaseLease ? 1 : 0),
        _ => BoundStatement<UpdateArgs>.Parameter.Property(name, a => a.Update) ?? throw Unbound(name),
    };

    /// <summary>What a batched insert binds: row <c>i</c>'s columns as the parameters suffixed <c>i</c>, and the time.</summary>
    internal sealed record InsertArgs(IReadOnlyList<NewRequest> Rows, DateTimeOffset Now);

    private static BoundStatement<InsertArgs>.Parameter InsertParameter(string name)
    {
        if (name == "Now")
            return BoundStatement<InsertArgs>.Parameter.Of(a => a.Now);
        var digits = name.Length - name.AsSpan().TrimEnd("0123456789").Length;
        if (digits == 0)
            throw Unbound(name);
        var row = int.Parse(name.AsSpan(name.Length - digits), CultureInfo.InvariantCulture);
        return RequestColumns.RowParameter<InsertArgs>(name[..^digits], a => a.Rows[row]) ?? throw Unbound(name);
    }

    private static InvalidOperationException Unbound(string name) => new($"The statement names a parameter @{name} that nothing binds.");

    /// <summary>
    /// An operator's replay (<see cref="Mover.Operator"/>): moves a <c>Failed</c> or <c>TimedOut</c> row back to
    /// <c>Received</c> with <paramref name="deadline"/>, recording <paramref name="detail"/> (who, why). Without
    /// <paramref name="redeliver"/> a row whose channel delivery happened and that kept no report to resend is refused, so
    /// a replay never repeats a delivered side effect unless asked to. False (and nothing recorded) when the row is not
    /// in a state to replay.
    /// </summary>
    public async Task<bool> ReplayAsync(string requestId, DateTimeOffset deadline, bool redeliver, string detail, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        await using var tx = _dialect.UpdateIsOneStatement ? null : await connection.BeginTransactionAsync(ct);
        var changed = await connection.ExecuteScalarAsync<int>(new CommandDefinition(_replaySql, new
        {
            RequestId = requestId, DeadlineAt = deadline, Redeliver = redeliver ? 1 : 0, Detail = detail, Now = _clock.GetUtcNow(),
        }, tx, cancellationToken: ct)) > 0;
        if (tx is not null)
            await tx.CommitAsync(ct);
        return changed;
    }

    /// <summary>Every statement this class runs, so tests can parse them for SQL Server.</summary>
    internal static IEnumerable<(string Name, string Sql)> Statements
    {
        get
        {
            var dialect = SqlDialect.For(StoreProviders.SqlServer);
            yield return (nameof(PingSql), PingSql);
            yield return (nameof(ClaimSql), ClaimSql(dialect));
            yield return (nameof(ReplaySql), ReplaySql(dialect));
            foreach (var (status, from) in UpdatableFrom())
            {
                yield return ($"{nameof(UpdateSql)}({status}, widest)", UpdateSql(dialect, from, UpdateShape.Widest));
                yield return ($"{nameof(UpdateSql)}({status}, narrowest)", UpdateSql(dialect, from, default));
            }
            yield return (nameof(ReceivedTransitionsSql), AsDapperSends(ReceivedTransitionsSql(dialect)));
            yield return (nameof(PayloadBatchSql), PayloadBatchSql(dialect));
            yield return (nameof(DeleteBatchSql), DeleteBatchSql(dialect));
            yield return (nameof(ClearPayloadsSql), AsDapperSends(ClearPayloadsSql(dialect)));
            yield return (nameof(DeleteTransitionsSql), AsDapperSends(DeleteTransitionsSql(dialect)));
            yield return (nameof(DeleteRowsSql), AsDapperSends(DeleteRowsSql(dialect)));
        }
    }

    /// <summary>As Dapper sends it: the list parameter expanded to one parameter per id.</summary>
    private static string AsDapperSends(string sql) => sql.Replace("IN @Ids", "IN (@Ids1, @Ids2)", StringComparison.Ordinal);

    /// <summary>
    /// The retention purge. Deletes final rows received before <paramref name="deleteReceivedBefore"/> with their
    /// history, then clears the request payload and callback body of final rows received before
    /// <paramref name="clearPayloadsReceivedBefore"/> (null = not that step). Rows in any other state are never touched.
    /// Works in batches of <paramref name="batchSize"/> rows, one short transaction each, so it never holds many locks
    /// for long; batches locked by another purge are skipped (that purge handles them), so Processors may run it at
    /// the same time, and running it again changes nothing. Counts are what this call changed.
    /// </summary>
    public async Task<PurgeResult> PurgeAsync(DateTimeOffset? clearPayloadsReceivedBefore, DateTimeOffset? deleteReceivedBefore, int batchSize,
        CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        var deleted = 0;
        var transitions = 0;
        if (deleteReceivedBefore is { } deleteBefore)
        {
            await InBatchesAsync(_deleteBatchSql, deleteBefore, batchSize, async (connection, tx, ids) =>
            {
                transitions += await connection.ExecuteAsync(new CommandDefinition(_deleteTransitionsSql, new { Ids = ids }, tx, cancellationToken: ct));
                deleted += await connection.ExecuteAsync(new CommandDefinition(_deleteRowsSql, new { Ids = ids }, tx, cancellationToken: ct));
            }, ct);
        }
        var cleared = 0;
        if (clearPayloadsReceivedBefore is { } clearBefore)
        {
            await InBatchesAsync(_payloadBatchSql, clearBefore, batchSize, async (connection, tx, ids) =>
                cleared += await connection.ExecuteAsync(new CommandDefinition(_clearPayloadsSql, new { Ids = ids }, tx, cancellationToken: ct)), ct);
        }
        if ((deleted > 0 || cleared > 0) && _dialect.ReclaimSpace is { } reclaim)
        {
            await using var connection = await _db.OpenConnectionAsync(ct);
            await connection.ExecuteAsync(new CommandDefinition(reclaim, cancellationToken: ct));
        }
        return new PurgeResult(cleared, deleted, transitions);
    }

    /// <summary>Takes batches from <paramref name="batchSql"/> in (received_at, request_id) order and hands each one's ids to <paramref name="apply"/> in the batch's transaction.</summary>
    private async Task InBatchesAsync(string batchSql, DateTimeOffset receivedBefore, int batchSize,
        Func<DbConnection, DbTransaction, List<string>, Task> apply, CancellationToken ct)
    {
        var after = (Received: long.MinValue, Id: "");
        while (true)
        {
            await using var connection = await _db.OpenConnectionAsync(ct);
            await using var tx = await connection.BeginTransactionAsync(ct);
            var batch = (await connection.QueryAsync<BatchRow>(new CommandDefinition(batchSql, new
            {
                Cutoff = receivedBefore,
                AfterReceived = after.Received,
                AfterId = after.Id,
                Take = batchSize,
            }, tx, cancellationToken: ct))).ToList();
            if (batch.Count > 0)
                await apply(connection, tx, batch.Select(b => b.RequestId).ToList());
            await tx.CommitAsync(ct);
            if (batch.Count < batchSize)
                return;
            after = (batch[^1].ReceivedAt, batch[^1].RequestId);
        }
    }

    /// <summary>Reachability check for readiness.</summary>
    public async Task PingAsync(CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        await connection.ExecuteScalarAsync<int>(new CommandDefinition(PingSql, cancellationToken: ct));
    }

    /// <summary>Inserts the rows that are absent (one statement) and a first transition for each (one more); returns how many were inserted.</summary>
    private async Task<int> InsertIfAbsentAsync(DbConnection connection, DbTransaction tx, IReadOnlyList<NewRequest> rows, DateTimeOffset now, CancellationToken ct)
    {
        var statement = InsertStatement(rows.Count);
        var ids = new List<string>(rows.Count);
        await using (var command = statement.Command(connection, tx, new InsertArgs(rows, now)))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
                ids.Add(reader.GetString(0));
        }
        if (ids.Count > 0)
            await connection.ExecuteAsync(new CommandDefinition(_receivedTransitionsSql, new { Ids = ids, Now = now }, tx, cancellationToken: ct));
        return ids.Count;
    }

    /// <summary>The batched insert of <paramref name="rows"/> rows, bound on first use (one per batch size met).</summary>
    internal BoundStatement<InsertArgs> InsertStatement(int rows) =>
        _inserts[rows] ??= new BoundStatement<InsertArgs>(_dialect, _dialect.InsertIfAbsent(rows), InsertParameter);

    /// <summary>Every statement bound per call, as sent to the provider (tests: each one's every parameter is bound).</summary>
    internal IEnumerable<(string Name, string Sql)> BoundStatements()
    {
        yield return ("claim", _claim.Sql);
        if (_insertClaimed is not null) yield return ("insert claimed", _insertClaimed.Sql);
        foreach (var (status, update) in _updates)
        {
            yield return ($"update to {status}, widest", update.For(UpdateShape.Widest).Sql);
            yield return ($"update to {status}, narrowest", update.For(default).Sql);
        }
        yield return ("insert 1", InsertStatement(1).Sql);
        yield return ($"insert {SqlDialect.InsertChunk}", InsertStatement(SqlDialect.InsertChunk).Sql);
    }

    /// <summary>A purge batch's row: its keyset position, in the stored unix milliseconds.</summary>
    private sealed class BatchRow
    {
        public string RequestId { get; set; } = "";
        public long ReceivedAt { get; set; }
    }
}
