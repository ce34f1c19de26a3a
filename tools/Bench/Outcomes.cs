using Npgsql;

namespace ExternalAction.Bench;

/// <summary>Final states of acknowledged requests, read from the status table (PostgreSQL).</summary>
internal static class Outcomes
{
    public static readonly string[] Final = ["CallbackSent", "CallbackUnconfirmed", "Failed", "TimedOut"];

    public static async Task<Dictionary<string, long>> CountAsync(string connectionString, IReadOnlyCollection<string> requestIds)
    {
        var counts = new Dictionary<string, long>();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT status, count(*) FROM action_requests WHERE request_id = ANY(@ids) GROUP BY status", connection);
        command.Parameters.AddWithValue("ids", requestIds.ToArray());
        await using var reader = await command.ExecuteReaderAsync();
        long found = 0;
        while (await reader.ReadAsync())
        {
            counts[reader.GetString(0)] = reader.GetInt64(1);
            found += reader.GetInt64(1);
        }
        counts["(no row)"] = requestIds.Count - found;
        return counts;
    }

    /// <summary>Acknowledged requests without a final state.</summary>
    public static long Unfinished(Dictionary<string, long> counts) =>
        counts.Where(c => !Final.Contains(c.Key)).Sum(c => c.Value);
}
