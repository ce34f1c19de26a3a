using System.Data.Common;
using Dapper;

namespace ExternalAction.Store.Activations;

/// <summary>
/// Which journey versions use which action: a platform's publish and stop calls (SFMC Journey Builder's custom activity
/// lifecycle) record one row per journey version and activity; support reads them ("where is this action live?").
/// Portable SQL on every provider: an update, then an insert when there was nothing to update.
/// </summary>
public sealed class JourneyActivations
{
    public const string Live = "live";
    public const string Stopped = "stopped";

    private readonly DbDataSource _db;

    static JourneyActivations() => UnixMilliseconds.Configure();

    internal JourneyActivations(DbDataSource db) => _db = db;

    private const string UpdateSql = """
            UPDATE journey_activations
               SET state = @State, action_name = @ActionName, action_version = @ActionVersion,
                   journey_key = COALESCE(@JourneyKey, journey_key),
                   original_definition_id = COALESCE(@OriginalDefinitionId, original_definition_id),
                   published_at = CASE WHEN @State = 'live' THEN @At ELSE published_at END,
                   stopped_at = CASE WHEN @State = 'stopped' THEN @At ELSE stopped_at END,
                   updated_at = @At
             WHERE contract = @Contract AND journey_id = @JourneyId AND journey_version = @JourneyVersion AND activity_id = @ActivityId
            """;

    private const string InsertSql = """
            INSERT INTO journey_activations
                (contract, journey_id, journey_version, activity_id, action_name, action_version, journey_key,
                 original_definition_id, state, published_at, stopped_at, updated_at)
            VALUES (@Contract, @JourneyId, @JourneyVersion, @ActivityId, @ActionName, @ActionVersion, @JourneyKey,
                 @OriginalDefinitionId, @State,
                 CASE WHEN @State = 'live' THEN @At ELSE NULL END, CASE WHEN @State = 'stopped' THEN @At ELSE NULL END, @At)
            """;

    private const string ListSql = """
            SELECT contract, journey_id, journey_version, activity_id, action_name, action_version, journey_key,
                   original_definition_id, state, published_at, stopped_at, updated_at
              FROM journey_activations
             WHERE (@ActionName IS NULL OR action_name = @ActionName)
               AND (@State IS NULL OR state = @State)
             ORDER BY action_name, journey_id, journey_version, activity_id
            """;

    /// <summary>The statements, so tests can parse them for SQL Server.</summary>
    internal static IEnumerable<(string Name, string Sql)> Statements => [(nameof(UpdateSql), UpdateSql), (nameof(InsertSql), InsertSql), (nameof(ListSql), ListSql)];

    /// <summary>Records that <paramref name="activation"/>'s journey version went live or stopped (the newest call wins).</summary>
    public async Task RecordAsync(JourneyActivation activation, CancellationToken ct)
    {
        var parameters = new
        {
            activation.Contract, activation.JourneyId, activation.JourneyVersion, activation.ActivityId, activation.ActionName,
            activation.ActionVersion, activation.JourneyKey, activation.OriginalDefinitionId, activation.State, At = activation.UpdatedAt,
        };
        await using var connection = await _db.OpenConnectionAsync(ct);
        for (var attempt = 0; ; attempt++)
        {
            if (await connection.ExecuteAsync(new CommandDefinition(UpdateSql, parameters, cancellationToken: ct)) > 0)
                return;
            try
            {
                await connection.ExecuteAsync(new CommandDefinition(InsertSql, parameters, cancellationToken: ct));
                return;
            }
            catch (DbException) when (attempt == 0)
            {
                // Two calls for the same journey version raced and the other inserted first: update its row instead.
            }
        }
    }

    public async Task<IReadOnlyList<JourneyActivation>> ListAsync(string? actionName, string? state, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<JourneyActivation>(new CommandDefinition(ListSql, new { ActionName = actionName, State = state }, cancellationToken: ct));
        return rows.AsList();
    }
}

/// <summary>One journey version's use of an action. Every string is platform data: bound as a parameter, never built into SQL.</summary>
public sealed record JourneyActivation
{
    public required string Contract { get; init; }
    public required string JourneyId { get; init; }
    public required string JourneyVersion { get; init; }
    public required string ActivityId { get; init; }
    public required string ActionName { get; init; }
    public required string ActionVersion { get; init; }
    public string? JourneyKey { get; init; }
    public string? OriginalDefinitionId { get; init; }
    /// <summary><see cref="JourneyActivations.Live"/> or <see cref="JourneyActivations.Stopped"/>.</summary>
    public required string State { get; init; }
    public DateTimeOffset? PublishedAt { get; init; }
    public DateTimeOffset? StoppedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
}
