using System.Data;
using System.Data.Common;
using System.Globalization;
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
    /// The SET list of a status update: the status, the kept columns, the next attempt (cleared with
    /// <c>@ClearNextAttempt = 1</c>) and the lease (released with <c>@ReleaseLease = 1</c>).
    /// </summary>
    public static string UpdateSet { get; } = string.Join(",\n       ", [
        "status = @Status",
        .. KeptUnlessSet.Select(c => $"{c} = COALESCE(@{Parameter(c)}, {c})"),
        "next_attempt_at = CASE WHEN @ClearNextAttempt = 1 THEN NULL ELSE COALESCE(@NextAttemptAt, next_attempt_at) END",
        "lease_owner = CASE WHEN @ReleaseLease = 1 THEN NULL ELSE lease_owner END",
        "lease_until = CASE WHEN @ReleaseLease = 1 THEN NULL ELSE lease_until END",
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
