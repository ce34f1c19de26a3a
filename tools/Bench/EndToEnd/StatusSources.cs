using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Npgsql;

namespace ExternalAction.Bench.EndToEnd;

/// <summary>Where the accounting reads each request's state: the status table itself, or the support API in front of it.</summary>
internal interface IStatusSource
{
    /// <summary>requestId → state (<see cref="OutcomeAccounting.StateOf"/>) for the ids that have a row; ids without one are left out.</summary>
    Task<IReadOnlyDictionary<string, string>> StatusesAsync(IReadOnlyCollection<string> requestIds, CancellationToken ct);
}

/// <summary>Reads <c>action_requests</c> in PostgreSQL directly: one query per refresh, however many requests.</summary>
internal sealed class PostgresStatusSource(string connectionString) : IStatusSource
{
    public async Task<IReadOnlyDictionary<string, string>> StatusesAsync(IReadOnlyCollection<string> requestIds, CancellationToken ct)
    {
        var statuses = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT request_id, status, last_error FROM action_requests WHERE request_id = ANY(@ids)", connection);
        command.Parameters.AddWithValue("ids", requestIds.ToArray());
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            statuses[reader.GetString(0)] = OutcomeAccounting.StateOf(reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2));
        return statuses;
    }
}

/// <summary>
/// Asks the Api's support endpoint (<c>GET /support/requests/{id}</c> with <c>X-Support-Key</c>) request by request,
/// a few at a time; for deployments whose database the tool cannot reach.
/// </summary>
internal sealed class SupportApiStatusSource(HttpClient http, string apiBase, string supportKey, int parallelism = 16) : IStatusSource
{
    public async Task<IReadOnlyDictionary<string, string>> StatusesAsync(IReadOnlyCollection<string> requestIds, CancellationToken ct)
    {
        var statuses = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(requestIds, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = ct }, async (id, token) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"{apiBase.TrimEnd('/')}/support/requests/{Uri.EscapeDataString(id)}");
            request.Headers.Add("X-Support-Key", supportKey);
            using var response = await http.SendAsync(request, token);
            if (response.StatusCode == HttpStatusCode.NotFound)
                return;
            if (!response.IsSuccessStatusCode)
                throw new InvalidOperationException($"The support API answered {(int)response.StatusCode} for request {id}.");
            if (StatusOf(await response.Content.ReadAsStringAsync(token)) is { } status)
                statuses[id] = status;
        });
        return statuses;
    }

    /// <summary>The request's state from the support view: <c>request.status</c> (with <c>request.lastError</c>), or <c>status</c> at the top.</summary>
    public static string? StatusOf(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var row = root.TryGetProperty("request", out var request) && request.ValueKind == JsonValueKind.Object ? request : root;
        if (!row.TryGetProperty("status", out var status) || status.GetString() is not { } text)
            return null;
        var lastError = row.TryGetProperty("lastError", out var error) && error.ValueKind == JsonValueKind.String ? error.GetString() : null;
        return OutcomeAccounting.StateOf(text, lastError);
    }
}
