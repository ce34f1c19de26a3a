using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Linq.Expressions;
using Dapper;

namespace ExternalAction.Store;

/// <summary>
/// The status row's shape, once: the columns from which the store builds its inserts, its update and its selects.
/// A column's parameter is its name in Pascal case (<c>request_id</c> → <c>@RequestId</c>), the name of the
/// <see cref="NewRequest"/>, <see cref="StatusUpdate"/> and <see cref="RequestRecord"/> property it goes with, so Dapper
/// maps a selected row straight onto <see cref="RequestRecord"/> (times through <see cref="UnixMilliseconds"/>). A new
/// column is a migration per provider, a property and a line here.
/// </summary>
internal static class RequestColumns
{
    /// <summary>The columns a new row takes from its <see cref="NewRequest"/>, in insert order, with each one's value.</summary>
    public static IReadOnlyList<(string Name, Func<NewRequest, object?> Value)> FromRequest { get; } =
    [
        ("request_id", r => r.RequestId),
        ("action_name", r => r.ActionName),
        ("action_version", r => r.ActionVersion),
        ("contract", r => r.Contract),
        ("entity_type", r => r.EntityType),
        ("contact_key", r => r.ContactKey),
        ("journey_instance_id", r => r.JourneyInstanceId),
        ("activity_id", r => r.ActivityId),
        ("lead_id", r => r.LeadId),
        ("account_id", r => r.AccountId),
        // Stored between commas so a person id is found with one LIKE in every provider; RequestRows.Shown takes them off.
        ("person_ids", r => r.PersonIds is null ? null : $",{r.PersonIds},"),
        ("journey_id", r => r.JourneyId),
        ("journey_name", r => r.JourneyName),
        ("ims_org_id", r => r.ImsOrgId),
        ("munchkin_id", r => r.MunchkinId),
        ("received_at", r => r.ReceivedAt),
        ("deadline_at", r => r.DeadlineAt),
        ("request_payload", r => r.RequestPayload),
        ("request_hash", r => r.RequestHash),
    ];

    /// <summary>The columns an update leaves as they are unless the <see cref="StatusUpdate"/> property of that name is set.</summary>
    public static IReadOnlyList<string> KeptUnlessSet { get; } =
    [
        "outcome", "attempt_count", "delivered_at", "delivery_status_code", "delivery_duration_ms", "accessor_values",
        "accessor_rejections", "selected_path_id", "route", "callback_status_code", "callback_result", "callback_outcome_unknown",
        "callback_body", "last_error",
    ];

    /// <summary>The columns the lifecycle statements (insert, claim, update) write by their own rules.</summary>
    private static readonly string[] Lifecycle = ["status", "next_attempt_at", "lease_owner", "lease_until", "created_at", "updated_at"];

    /// <summary>Every column of the row, for selects.</summary>
    public static IReadOnlyList<string> All { get; } = [.. FromRequest.Select(c => c.Name), .. Lifecycle, .. KeptUnlessSet];

    /// <summary><c>request_id, action_name, …</c>: the columns of <see cref="FromRequest"/>, each prefixed with <paramref name="table"/> when one is given.</summary>
    public static string Inserted(string table = "") => string.Join(", ", FromRequest.Select(c => table + c.Name));

    /// <summary><c>@RequestId{suffix}, @ActionName{suffix}, …</c>: the values of <see cref="FromRequest"/>.</summary>
    public static string InsertValues(string suffix) => string.Join(", ", FromRequest.Select(c => $"@{Parameter(c.Name)}{suffix}"));

    /// <summary>Every column, each prefixed with <paramref name="table"/> (e.g. <c>inserted.</c>) when one is given.</summary>
    public static string Select(string table = "") => string.Join(", ", All.Select(c => table + c));

    /// <summary>
    /// The parameter <paramref name="name"/> of <see cref="InsertValues"/> (without suffix, e.g. <c>RequestId</c>) as a
    /// bound statement's parameter, read from the row <paramref name="row"/> takes from the arguments; null for a name
    /// that is no column of <see cref="FromRequest"/>.
    /// </summary>
    public static BoundStatement<TArgs>.Parameter? RowParameter<TArgs>(string name, Func<TArgs, NewRequest> row)
    {
        if (!ByParameter.TryGetValue(name, out var column))
            return null;
        var value = column.Value;
        return BoundStatement<TArgs>.Parameter.Typed(column.Type, args => value(row(args)));
    }

    private static readonly Dictionary<string, (Func<NewRequest, object?> Value, Type Type)> ByParameter =
        FromRequest.ToDictionary(c => Parameter(c.Name), c => (c.Value, typeof(NewRequest).GetProperty(Parameter(c.Name))!.PropertyType), StringComparer.Ordinal);

    /// <summary>
    /// The SET list of a status update of <paramref name="shape"/>: the status, the kept columns the update sets, the
    /// next attempt (set or cleared) and the lease (released) when the update says so, and the time. A column the update
    /// leaves null is not in the list, so the statement binds only the values it writes.
    /// </summary>
    public static string UpdateSet(UpdateShape shape) => string.Join(",\n       ", [
        "status = @Status",
        .. KeptUnlessSet.Where((_, i) => shape.Sets(i)).Select(c => $"{c} = @{Parameter(c)}"),
        .. shape.ClearsNextAttempt ? ["next_attempt_at = NULL"] : shape.SetsNextAttempt ? ["next_attempt_at = @NextAttemptAt"] : Array.Empty<string>(),
        .. shape.ReleasesLease ? ["lease_owner = NULL", "lease_until = NULL"] : Array.Empty<string>(),
        "updated_at = @Now",
    ]);

    /// <summary><c>request_id</c> → <c>RequestId</c>.</summary>
    public static string Parameter(string column) =>
        string.Concat(column.Split('_').Select(part => char.ToUpperInvariant(part[0]) + part[1..]));
}

/// <summary>Reading rows: the one select by id, and what every read row gets before it leaves the store.</summary>
internal static class RequestRows
{
    public static string SelectById { get; } = $"SELECT {RequestColumns.Select()} FROM action_requests WHERE request_id = @RequestId";

    public static async Task<RequestRecord?> GetAsync(DbConnection connection, string requestId, CancellationToken ct, DbTransaction? tx = null) =>
        Shown(await connection.QuerySingleOrDefaultAsync<RequestRecord>(new CommandDefinition(SelectById, new { RequestId = requestId }, tx, cancellationToken: ct)));

    /// <summary>The row as callers see it: person ids without the commas they are stored between.</summary>
    public static RequestRecord? Shown(RequestRecord? row) =>
        row?.PersonIds is { } people ? row with { PersonIds = people.Trim(',') } : row;
}

/// <summary>
/// Times are unix milliseconds (UTC, BIGINT) in every provider, so ordering and paging SQL is the same everywhere; this
/// Dapper type handler converts at the edge, both ways, for <see cref="DateTimeOffset"/> and <see cref="Nullable{T}"/> of it.
/// Dapper's handlers are process-wide: in a process using this store, every Dapper <see cref="DateTimeOffset"/> is unix ms.
/// </summary>
internal sealed class UnixMilliseconds : SqlMapper.ITypeHandler
{
    public void SetValue(IDbDataParameter parameter, object value)
    {
        parameter.DbType = DbType.Int64;
        parameter.Value = value is DateTimeOffset time ? time.ToUnixTimeMilliseconds() : DBNull.Value;
    }

    public object Parse(Type destinationType, object value) =>
        DateTimeOffset.FromUnixTimeMilliseconds(Convert.ToInt64(value, CultureInfo.InvariantCulture));

    /// <summary>Dapper's settings for this store: snake_case columns onto Pascal-case members, times as unix milliseconds.</summary>
    public static void Configure() => _ = Configured.Value;

    private static readonly Lazy<bool> Configured = new(() =>
    {
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        // Dapper's built-in mapping (DbType.DateTimeOffset) comes before any handler: take it out first.
        SqlMapper.RemoveTypeMap(typeof(DateTimeOffset));
        SqlMapper.RemoveTypeMap(typeof(DateTimeOffset?));
        SqlMapper.AddTypeHandler(typeof(DateTimeOffset), new UnixMilliseconds());
        return true;
    });
}

/// <summary>
/// Which columns a <see cref="StatusUpdate"/> writes: one bit per column of <see cref="RequestColumns.KeptUnlessSet"/>
/// whose property is set, and whether it sets or clears the next attempt and releases the lease. The store keeps one
/// statement per shape met (a handful: each step of the lifecycle writes the same columns every time).
/// </summary>
internal readonly record struct UpdateShape(int Bits)
{
    private static readonly int Kept = RequestColumns.KeptUnlessSet.Count;
    private static readonly int SetsNextAttemptBit = 1 << Kept;
    private static readonly int ClearsNextAttemptBit = 1 << (Kept + 1);
    private static readonly int ReleasesLeaseBit = 1 << (Kept + 2);

    /// <summary>Per kept column, whether the update's property of that name is set (not null); compiled once.</summary>
    private static readonly Func<StatusUpdate, bool>[] IsSet = RequestColumns.KeptUnlessSet.Select(IsSetGetter).ToArray();

    /// <summary>Every column set, the next attempt cleared and the lease released (the widest statement, for parse checks).</summary>
    public static UpdateShape Widest { get; } = new((1 << Kept) - 1 | ClearsNextAttemptBit | ReleasesLeaseBit);

    public static UpdateShape Of(StatusUpdate update)
    {
        var bits = 0;
        for (var i = 0; i < IsSet.Length; i++)
        {
            if (IsSet[i](update))
                bits |= 1 << i;
        }
        // Clearing wins over a next attempt given with it, as it always has.
        if (update.ClearNextAttempt)
            bits |= ClearsNextAttemptBit;
        else if (update.NextAttemptAt is not null)
            bits |= SetsNextAttemptBit;
        if (update.ReleaseLease)
            bits |= ReleasesLeaseBit;
        return new UpdateShape(bits);
    }

    /// <summary>Whether column <paramref name="kept"/> of <see cref="RequestColumns.KeptUnlessSet"/> is written.</summary>
    public bool Sets(int kept) => (Bits & (1 << kept)) != 0;

    public bool SetsNextAttempt => (Bits & SetsNextAttemptBit) != 0;
    public bool ClearsNextAttempt => (Bits & ClearsNextAttemptBit) != 0;
    public bool ReleasesLease => (Bits & ReleasesLeaseBit) != 0;

    private static Func<StatusUpdate, bool> IsSetGetter(string column)
    {
        var property = typeof(StatusUpdate).GetProperty(RequestColumns.Parameter(column))
            ?? throw new InvalidOperationException($"{nameof(StatusUpdate)} has no property for the column {column}.");
        var update = Expression.Parameter(typeof(StatusUpdate));
        var get = Expression.Property(update, property);
        return Expression.Lambda<Func<StatusUpdate, bool>>(
            Expression.NotEqual(get, Expression.Constant(null, property.PropertyType)), update).Compile();
    }
}
