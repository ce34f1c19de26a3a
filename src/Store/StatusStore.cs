using System.Data;
using System.Data.Common;
using System.Text;
using Dapper;

namespace ExternalAction.Store;

/// <summary>
/// The status table: one row per request and its history of transitions. Used by the Processor (record, claim,
/// update) and by the Api's support queries. Dapper over the configured provider; SQL sits next to each call.
/// </summary>
public sealed class StatusStore
{
    private readonly DbDataSource _db;
    private readonly SqlDialect _dialect;
    private readonly TimeProvider _clock;

    static StatusStore() => DefaultTypeMap.MatchNamesWithUnderscores = true;

    private const string SelectRowSql = "SELECT * FROM action_requests WHERE request_id = @RequestId";
    private const string PingSql = "SELECT 1";

    private const string Claimable = """
            request_id = @RequestId
               AND (request_hash IS NULL OR @RequestHash IS NULL OR request_hash = @RequestHash)
               AND (status IN ('Received', 'RetryScheduled')
                    OR (status = 'Processing' AND (lease_until IS NULL OR lease_until < @Now)))
            """;

    private const string ClaimSet = "status = 'Processing', lease_owner = @Owner, lease_until = @LeaseUntil, updated_at = @Now";

    private const string ClaimDetail =
        "CASE WHEN {from} = 'Processing' THEN 'claimed after the previous owner''s lease ran out' ELSE 'claimed for processing' END";

    /// <summary>The claim and its transition under one condition (see <see cref="SqlDialect.UpdateWithTransition"/>): the claimed row, or none.</summary>
    private static string ClaimSql(SqlDialect dialect) => dialect.UpdateWithTransition(ClaimSet, Claimable, "'Processing'", ClaimDetail, returnRow: true);

    private const string OwnedRow = "request_id = @RequestId AND (@LeaseOwner IS NULL OR lease_owner = @LeaseOwner)";

    private const string UpdateSet = """
            status = @Status,
                   outcome = COALESCE(@Outcome, outcome),
                   attempt_count = COALESCE(@AttemptCount, attempt_count),
                   next_attempt_at = CASE WHEN @ClearNextAttempt = 1 THEN NULL ELSE COALESCE(@NextAttemptAt, next_attempt_at) END,
                   delivered_at = COALESCE(@DeliveredAt, delivered_at),
                   delivery_status_code = COALESCE(@DeliveryStatusCode, delivery_status_code),
                   delivery_duration_ms = COALESCE(@DeliveryDurationMs, delivery_duration_ms),
                   accessor_values = COALESCE(@AccessorValues, accessor_values),
                   accessor_rejections = COALESCE(@AccessorRejections, accessor_rejections),
                   selected_path_id = COALESCE(@SelectedPathId, selected_path_id),
                   callback_status_code = COALESCE(@CallbackStatusCode, callback_status_code),
                   callback_result = COALESCE(@CallbackResult, callback_result),
                   callback_body = COALESCE(@CallbackBody, callback_body),
                   last_error = COALESCE(@LastError, last_error),
                   lease_owner = CASE WHEN @ReleaseLease = 1 THEN NULL ELSE lease_owner END,
                   lease_until = CASE WHEN @ReleaseLease = 1 THEN NULL ELSE lease_until END,
                   updated_at = @Now
            """;

    /// <summary>A status update and its transition under one condition: the number of rows changed (0 or 1).</summary>
    private static string UpdateSql(SqlDialect dialect) => dialect.UpdateWithTransition(UpdateSet, OwnedRow, "@Status", "@Detail", returnRow: false);

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

    /// <summary>The first transition of rows just inserted.</summary>
    private static string ReceivedTransitionsSql(SqlDialect dialect) => $"""
            INSERT INTO action_request_transitions (request_id, to_status, at, detail)
            SELECT request_id, 'Received', @Now, '{SqlDialect.AcceptedDetail}'
              FROM action_requests
             WHERE request_id {dialect.InList("Ids")}
            """;

    /// <summary><c>status IN ('CallbackSent', …)</c>, from the one list of final states.</summary>
    private static readonly string FinalStatus = $"status IN ({string.Join(", ", RequestStatuses.Final.Select(s => $"'{s}'"))})";

    /// <summary>Keyset position of a purge pass, so a batch never re-reads the rows the ones before it already handled.</summary>
    private const string AfterBatch = "(received_at > @AfterReceived OR (received_at = @AfterReceived AND request_id > @AfterId))";

    private static string PayloadBatchSql(SqlDialect dialect) =>
        dialect.LockedBatch($"{FinalStatus} AND received_at < @Cutoff AND (request_payload IS NOT NULL OR callback_body IS NOT NULL) AND {AfterBatch}");

    private static string DeleteBatchSql(SqlDialect dialect) => dialect.LockedBatch($"{FinalStatus} AND received_at < @Cutoff AND {AfterBatch}");

    // By id only: the batch's rows are locked by this transaction (SQLite: the whole database is), so they are still
    // final and past the cutoff. The history goes in the same transaction as its row.
    private static string ClearPayloadsSql(SqlDialect dialect) =>
        $"UPDATE action_requests SET request_payload = NULL, callback_body = NULL WHERE request_id {dialect.InList("Ids")}";

    private static string DeleteTransitionsSql(SqlDialect dialect) => $"DELETE FROM action_request_transitions WHERE request_id {dialect.InList("Ids")}";

    private static string DeleteRowsSql(SqlDialect dialect) => $"DELETE FROM action_requests WHERE request_id {dialect.InList("Ids")}";

    // The provider's statements, built once: the Processor runs them several times per request.
    private readonly string _claimSql;
    private readonly string _updateSql;
    private readonly string _receivedTransitionsSql;
    private readonly string _payloadBatchSql;
    private readonly string _deleteBatchSql;
    private readonly string _clearPayloadsSql;
    private readonly string _deleteTransitionsSql;
    private readonly string _deleteRowsSql;

    internal StatusStore(DbDataSource db, SqlDialect dialect, TimeProvider clock)
    {
        _db = db;
        _dialect = dialect;
        _clock = clock;
        _claimSql = ClaimSql(dialect);
        _updateSql = UpdateSql(dialect);
        _receivedTransitionsSql = ReceivedTransitionsSql(dialect);
        _payloadBatchSql = PayloadBatchSql(dialect);
        _deleteBatchSql = DeleteBatchSql(dialect);
        _clearPayloadsSql = ClearPayloadsSql(dialect);
        _deleteTransitionsSql = DeleteTransitionsSql(dialect);
        _deleteRowsSql = DeleteRowsSql(dialect);
    }

    public string Provider => _dialect.Provider;

    public Task MigrateAsync(CancellationToken ct) => Migrations.ApplyAsync(_db, _dialect, _clock, ct);

    /// <summary>
    /// Inserts "Received" rows for those not present yet (either order with <see cref="ClaimAsync"/> works): one insert
    /// statement per 100 rows plus one for their transitions, in one transaction. Returns how many rows were new.
    /// </summary>
    public async Task<int> InsertReceivedAsync(IReadOnlyCollection<NewRequest> rows, CancellationToken ct)
    {
        if (rows.Count == 0)
            return 0;
        // Sorted, so two writers with overlapping batches lock the same keys in the same order (no deadlock).
        var ordered = rows.DistinctBy(r => r.RequestId).OrderBy(r => r.RequestId, StringComparer.Ordinal).ToList();
        await using var connection = await _db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var now = Now();
        var inserted = 0;
        foreach (var chunk in ordered.Chunk(SqlDialect.InsertChunk))
            inserted += await InsertIfAbsentAsync(connection, tx, chunk, now, ct);
        await tx.CommitAsync(ct);
        return inserted;
    }

    /// <summary>
    /// Inserts the row if absent, then claims it for <paramref name="owner"/> when it is waiting (Received,
    /// RetryScheduled) or its owner's lease ran out. One conditional UPDATE, so two claimants never both win. Where the
    /// dialect can insert a row already claimed (<see cref="SqlDialect.InsertClaimed"/>), that comes first: it is the
    /// usual case, the Processor being faster than the status recorder's batches.
    /// </summary>
    public async Task<ClaimResult> ClaimAsync(NewRequest row, string owner, DateTimeOffset now, TimeSpan lease, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        var nowMs = now.ToUnixTimeMilliseconds();
        var parameters = new { row.RequestId, row.RequestHash, Owner = owner, LeaseUntil = (now + lease).ToUnixTimeMilliseconds(), Now = nowMs };
        if (_dialect.InsertClaimed is { } insertClaimed)
        {
            var values = new DynamicParameters(new { parameters.Owner, parameters.LeaseUntil, parameters.Now });
            AddRowParameters(values, row, "");
            if (await connection.QuerySingleOrDefaultAsync<RequestRow>(new CommandDefinition(insertClaimed, values, cancellationToken: ct)) is { } inserted)
                return new ClaimResult(true, inserted.ToRecord());
        }
        var claimed = await ClaimOnceAsync(connection, parameters, ct);
        if (claimed is null && _dialect.InsertClaimed is null)
        {
            // Usually the status recorder inserted the row already. When nothing matched, the row may be missing or just
            // being inserted by the recorder (our insert then waits for its commit and does nothing): claim again either way.
            await using (var tx = await connection.BeginTransactionAsync(ct))
            {
                await InsertIfAbsentAsync(connection, tx, [row], nowMs, ct);
                await tx.CommitAsync(ct);
            }
            claimed = await ClaimOnceAsync(connection, parameters, ct);
        }
        return claimed is not null
            ? new ClaimResult(true, claimed.ToRecord())
            : new ClaimResult(false, (await GetAsync(connection, null, row.RequestId, ct))!);
    }

    private async Task<RequestRow?> ClaimOnceAsync(DbConnection connection, object parameters, CancellationToken ct)
    {
        if (_dialect.UpdateIsOneStatement)
            return await connection.QuerySingleOrDefaultAsync<RequestRow>(new CommandDefinition(_claimSql, parameters, cancellationToken: ct));
        await using var tx = await connection.BeginTransactionAsync(ct);
        var claimed = await connection.QuerySingleOrDefaultAsync<RequestRow>(new CommandDefinition(_claimSql, parameters, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return claimed;
    }

    /// <summary>Sets the status and the given columns and appends a transition. With a lease owner, only that owner's row changes.</summary>
    public async Task<bool> UpdateAsync(string requestId, StatusUpdate update, string? leaseOwner, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        await using var tx = _dialect.UpdateIsOneStatement ? null : await connection.BeginTransactionAsync(ct);
        var now = Now();
        var changed = await connection.ExecuteScalarAsync<int>(new CommandDefinition(_updateSql, new
        {
            RequestId = requestId,
            update.Status,
            update.Outcome,
            update.AttemptCount,
            NextAttemptAt = update.NextAttemptAt?.ToUnixTimeMilliseconds(),
            ClearNextAttempt = update.ClearNextAttempt ? 1 : 0,
            DeliveredAt = update.DeliveredAt?.ToUnixTimeMilliseconds(),
            update.DeliveryStatusCode,
            update.DeliveryDurationMs,
            update.AccessorValues,
            update.AccessorRejections,
            update.SelectedPathId,
            update.CallbackStatusCode,
            update.CallbackResult,
            update.CallbackBody,
            update.LastError,
            ReleaseLease = update.ReleaseLease ? 1 : 0,
            LeaseOwner = leaseOwner,
            Now = now,
            update.Detail,
        }, tx, cancellationToken: ct)) > 0;
        if (tx is not null)
            await tx.CommitAsync(ct);
        return changed;
    }

    public async Task<RequestRecord?> GetAsync(string requestId, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        return await GetAsync(connection, null, requestId, ct);
    }

    public async Task<IReadOnlyList<TransitionRecord>> GetTransitionsAsync(string requestId, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<TransitionRow>(new CommandDefinition(TransitionsSql, new { RequestId = requestId }, cancellationToken: ct));
        return rows.Select(r => new TransitionRecord(r.Id, r.RequestId, r.FromStatus, r.ToStatus, FromMs(r.At), r.Detail)).ToList();
    }

    /// <summary>Filtered list, newest first, with keyset paging (stable under concurrent inserts).</summary>
    public async Task<RequestPage> QueryAsync(RequestQuery query, CancellationToken ct)
    {
        var take = Math.Clamp(query.PageSize, 1, 500);
        var where = new StringBuilder("WHERE 1 = 1");
        var parameters = new DynamicParameters();
        parameters.Add("Take", take + 1);
        if (query.Status is not null) { where.Append(" AND status = @Status"); parameters.Add("Status", query.Status); }
        if (query.Action is not null) { where.Append(" AND action_name = @Action"); parameters.Add("Action", query.Action); }
        if (query.JourneyId is not null) { where.Append(" AND journey_id = @JourneyId"); parameters.Add("JourneyId", query.JourneyId); }
        if (query.From is { } from) { where.Append(" AND received_at >= @From"); parameters.Add("From", from.ToUnixTimeMilliseconds()); }
        if (query.To is { } to) { where.Append(" AND received_at < @To"); parameters.Add("To", to.ToUnixTimeMilliseconds()); }
        if (query.EntityId is not null)
        {
            where.Append(" AND (lead_id = @EntityId OR account_id = @EntityId OR person_ids LIKE @PersonPattern ESCAPE '\\')");
            parameters.Add("EntityId", query.EntityId);
            parameters.Add("PersonPattern", $"%,{EscapeLike(query.EntityId)},%");
        }
        if (Cursor.TryParse(query.Cursor, out var afterReceived, out var afterId))
        {
            where.Append(" AND (received_at < @AfterReceived OR (received_at = @AfterReceived AND request_id < @AfterId))");
            parameters.Add("AfterReceived", afterReceived);
            parameters.Add("AfterId", afterId);
        }

        await using var connection = await _db.OpenConnectionAsync(ct);
        var rows = (await connection.QueryAsync<RequestRow>(new CommandDefinition(
            QuerySql(where.ToString(), _dialect),
            parameters, cancellationToken: ct))).ToList();
        var items = rows.Take(take).Select(r => r.ToRecord()).ToList();
        var next = rows.Count > take ? Cursor.Create(rows[take - 1].ReceivedAt, rows[take - 1].RequestId) : null;
        return new RequestPage(items, next);
    }

    public async Task<IReadOnlyList<StatusCount>> CountByStatusAsync(string? action, DateTimeOffset? from, DateTimeOffset? to, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<CountRow>(new CommandDefinition(CountsSql, new { Action = action, From = from?.ToUnixTimeMilliseconds(), To = to?.ToUnixTimeMilliseconds() }, cancellationToken: ct));
        return rows.Select(r => new StatusCount(r.ActionName, r.Status, r.Count)).ToList();
    }

    private static string QuerySql(string where, SqlDialect dialect) =>
        $"SELECT * FROM action_requests {where} ORDER BY received_at DESC, request_id DESC {dialect.Limit}";

    private const string AllFilters = "WHERE 1 = 1 AND status = @Status AND action_name = @Action AND journey_id = @JourneyId AND received_at >= @From AND received_at < @To"
        + " AND (lead_id = @EntityId OR account_id = @EntityId OR person_ids LIKE @PersonPattern ESCAPE '\\')"
        + " AND (received_at < @AfterReceived OR (received_at = @AfterReceived AND request_id < @AfterId))";

    /// <summary>Every statement this class runs (with all query filters on), so tests can parse them for SQL Server.</summary>
    internal static IEnumerable<(string Name, string Sql)> SharedStatements =>
    [
        (nameof(SelectRowSql), SelectRowSql), (nameof(PingSql), PingSql),
        (nameof(ClaimSql), ClaimSql(SqlDialect.For(StoreProviders.SqlServer))),
        (nameof(UpdateSql), UpdateSql(SqlDialect.For(StoreProviders.SqlServer))), (nameof(TransitionsSql), TransitionsSql),
        (nameof(CountsSql), CountsSql),
        // As Dapper sends it: the list parameter expanded to one parameter per id.
        (nameof(ReceivedTransitionsSql), ReceivedTransitionsSql(SqlDialect.For(StoreProviders.SqlServer)).Replace("IN @Ids", "IN (@Ids1, @Ids2)", StringComparison.Ordinal)),
        ("QuerySql", QuerySql(AllFilters, SqlDialect.For(StoreProviders.SqlServer))),
        (nameof(PayloadBatchSql), PayloadBatchSql(SqlDialect.For(StoreProviders.SqlServer))),
        (nameof(DeleteBatchSql), DeleteBatchSql(SqlDialect.For(StoreProviders.SqlServer))),
        (nameof(ClearPayloadsSql), AsDapperSends(ClearPayloadsSql(SqlDialect.For(StoreProviders.SqlServer)))),
        (nameof(DeleteTransitionsSql), AsDapperSends(DeleteTransitionsSql(SqlDialect.For(StoreProviders.SqlServer)))),
        (nameof(DeleteRowsSql), AsDapperSends(DeleteRowsSql(SqlDialect.For(StoreProviders.SqlServer)))),
    ];

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
                Cutoff = receivedBefore.ToUnixTimeMilliseconds(),
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

    /// <summary>Inserts the rows that are absent (one statement) and a "Received" transition for each (one more); returns how many were inserted.</summary>
    private async Task<int> InsertIfAbsentAsync(DbConnection connection, DbTransaction tx, IReadOnlyList<NewRequest> rows, long now, CancellationToken ct)
    {
        var parameters = new DynamicParameters();
        parameters.Add("Now", now);
        for (var i = 0; i < rows.Count; i++)
            AddRowParameters(parameters, rows[i], i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var ids = (await connection.QueryAsync<string>(new CommandDefinition(_dialect.InsertIfAbsent(rows.Count), parameters, tx, cancellationToken: ct))).ToList();
        if (ids.Count > 0)
            await connection.ExecuteAsync(new CommandDefinition(_receivedTransitionsSql, new { Ids = ids, Now = now }, tx, cancellationToken: ct));
        return ids.Count;
    }

    /// <summary>One row's values as the parameters <c>@RequestId{suffix}</c> … <c>@RequestPayload{suffix}</c>.</summary>
    private static void AddRowParameters(DynamicParameters parameters, NewRequest row, string i)
    {
        parameters.Add($"RequestId{i}", row.RequestId);
        parameters.Add($"ActionName{i}", row.ActionName);
        parameters.Add($"ActionVersion{i}", row.ActionVersion);
        parameters.Add($"EntityType{i}", row.EntityType);
        parameters.Add($"LeadId{i}", row.LeadId);
        parameters.Add($"AccountId{i}", row.AccountId);
        // Stored between commas so a person id is found with one LIKE in every provider.
        parameters.Add($"PersonIds{i}", row.PersonIds is null ? null : $",{row.PersonIds},");
        parameters.Add($"JourneyId{i}", row.JourneyId);
        parameters.Add($"JourneyName{i}", row.JourneyName);
        parameters.Add($"ImsOrgId{i}", row.ImsOrgId);
        parameters.Add($"MunchkinId{i}", row.MunchkinId);
        parameters.Add($"ReceivedAt{i}", row.ReceivedAt.ToUnixTimeMilliseconds());
        parameters.Add($"DeadlineAt{i}", row.DeadlineAt.ToUnixTimeMilliseconds());
        parameters.Add($"RequestPayload{i}", row.RequestPayload);
        parameters.Add($"RequestHash{i}", row.RequestHash);
    }

    private static async Task<RequestRecord?> GetAsync(DbConnection connection, DbTransaction? tx, string requestId, CancellationToken ct)
    {
        var row = await connection.QuerySingleOrDefaultAsync<RequestRow>(new CommandDefinition(
            SelectRowSql, new { RequestId = requestId }, tx, cancellationToken: ct));
        return row?.ToRecord();
    }

    private long Now() => _clock.GetUtcNow().ToUnixTimeMilliseconds();

    private static DateTimeOffset FromMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    private static DateTimeOffset? FromMs(long? ms) => ms is { } v ? DateTimeOffset.FromUnixTimeMilliseconds(v) : null;

    /// <summary>Makes the id match itself only: <c>%</c>, <c>_</c> (and SQL Server's <c>[</c>) escaped with <c>\</c>.</summary>
    private static string EscapeLike(string value) => value
        .Replace("\\", "\\\\", StringComparison.Ordinal)
        .Replace("%", "\\%", StringComparison.Ordinal)
        .Replace("_", "\\_", StringComparison.Ordinal)
        .Replace("[", "\\[", StringComparison.Ordinal);

    private sealed class BatchRow
    {
        public string RequestId { get; set; } = "";
        public long ReceivedAt { get; set; }
    }

    private sealed class TransitionRow
    {
        public long Id { get; set; }
        public string RequestId { get; set; } = "";
        public string? FromStatus { get; set; }
        public string ToStatus { get; set; } = "";
        public long At { get; set; }
        public string? Detail { get; set; }
    }

    private sealed class CountRow
    {
        public string ActionName { get; set; } = "";
        public string Status { get; set; } = "";
        public long Count { get; set; }
    }

    /// <summary>The row as stored (times in unix milliseconds).</summary>
    private sealed class RequestRow
    {
        public string RequestId { get; set; } = "";
        public string ActionName { get; set; } = "";
        public string ActionVersion { get; set; } = "";
        public string EntityType { get; set; } = "";
        public string? LeadId { get; set; }
        public string? AccountId { get; set; }
        public string? PersonIds { get; set; }
        public string? JourneyId { get; set; }
        public string? JourneyName { get; set; }
        public string? ImsOrgId { get; set; }
        public string? MunchkinId { get; set; }
        public long ReceivedAt { get; set; }
        public long DeadlineAt { get; set; }
        public string? RequestPayload { get; set; }
        public string? RequestHash { get; set; }
        public string Status { get; set; } = "";
        public string? Outcome { get; set; }
        public int AttemptCount { get; set; }
        public long? NextAttemptAt { get; set; }
        public string? LeaseOwner { get; set; }
        public long? LeaseUntil { get; set; }
        public long? DeliveredAt { get; set; }
        public int? DeliveryStatusCode { get; set; }
        public int? DeliveryDurationMs { get; set; }
        public string? AccessorValues { get; set; }
        public string? AccessorRejections { get; set; }
        public string? SelectedPathId { get; set; }
        public int? CallbackStatusCode { get; set; }
        public string? CallbackResult { get; set; }
        public string? CallbackBody { get; set; }
        public string? LastError { get; set; }
        public long CreatedAt { get; set; }
        public long UpdatedAt { get; set; }

        public RequestRecord ToRecord() => new()
        {
            RequestId = RequestId,
            ActionName = ActionName,
            ActionVersion = ActionVersion,
            EntityType = EntityType,
            LeadId = LeadId,
            AccountId = AccountId,
            PersonIds = PersonIds?.Trim(','),
            JourneyId = JourneyId,
            JourneyName = JourneyName,
            ImsOrgId = ImsOrgId,
            MunchkinId = MunchkinId,
            ReceivedAt = FromMs(ReceivedAt),
            DeadlineAt = FromMs(DeadlineAt),
            RequestPayload = RequestPayload,
            RequestHash = RequestHash,
            Status = Status,
            Outcome = Outcome,
            AttemptCount = AttemptCount,
            NextAttemptAt = FromMs(NextAttemptAt),
            LeaseOwner = LeaseOwner,
            LeaseUntil = FromMs(LeaseUntil),
            DeliveredAt = FromMs(DeliveredAt),
            DeliveryStatusCode = DeliveryStatusCode,
            DeliveryDurationMs = DeliveryDurationMs,
            AccessorValues = AccessorValues,
            AccessorRejections = AccessorRejections,
            SelectedPathId = SelectedPathId,
            CallbackStatusCode = CallbackStatusCode,
            CallbackResult = CallbackResult,
            CallbackBody = CallbackBody,
            LastError = LastError,
            CreatedAt = FromMs(CreatedAt),
            UpdatedAt = FromMs(UpdatedAt),
        };
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
                if (parts.Length == 2 && long.TryParse(parts[0], System.Globalization.CultureInfo.InvariantCulture, out receivedAt))
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
