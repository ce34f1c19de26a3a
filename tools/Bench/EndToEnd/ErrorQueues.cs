using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace ExternalAction.Bench.EndToEnd;

/// <summary>One message sitting in a MassTransit <c>_error</c> queue: its AMQP message id, headers (MT-Fault-*, …) and body.</summary>
internal sealed record FaultedMessage(string Queue, string? MessageId, IReadOnlyDictionary<string, string> Headers, string Body)
{
    /// <summary>MassTransit's reason for the fault (<c>MT-Fault-Message</c>), shortened for a report.</summary>
    public string Fault => Headers.TryGetValue("MT-Fault-Message", out var m) ? (m.Length > 160 ? m[..160] + "…" : m) : "(no MT-Fault-Message header)";
}

/// <summary>What the <c>_error</c> queues held after a run, matched to requests and their status rows.</summary>
/// <param name="ByQueue">Messages per queue read.</param>
/// <param name="Identified">Messages whose request id was found (header, message id or body).</param>
/// <param name="WithRow">Identified messages whose request has a status row.</param>
/// <param name="WithoutRow">Messages whose request has no status row, or whose request could not be identified: acknowledged work the support API cannot find.</param>
internal sealed record ErrorQueueSummary(
    IReadOnlyDictionary<string, long> ByQueue, long Identified, long WithRow, IReadOnlyList<(FaultedMessage Message, string? RequestId)> WithoutRow)
{
    public long Total => ByQueue.Values.Sum();
}

/// <summary>
/// Reads MassTransit's <c>_error</c> queues without taking anything off them, and matches each message to a request:
/// the fuzz drill fails on any faulted message without a status row (finding 19: answered 200, then lost).
/// </summary>
internal static partial class ErrorQueues
{
    /// <summary>The Processor's consumers' error queues (QueueNames in ServiceDefaults, plus MassTransit's <c>_error</c> suffix).</summary>
    public static readonly string[] Default = ["externalaction-process_error", "externalaction-status_error"];

    /// <summary>
    /// The Api's message id of a request (IntakePublisher.MessageId: the first 16 bytes of the request id's SHA-256 as a
    /// Guid); MassTransit sends it as the AMQP message id, which the move to <c>_error</c> keeps. Lets a message whose
    /// body cannot be read still be matched.
    /// </summary>
    public static Guid MessageIdOf(string requestId)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(requestId), hash);
        return new Guid(hash[..16]);
    }

    /// <summary>
    /// The request a faulted message belongs to: a header naming it (<c>RequestId</c>, <c>X-Request-Id</c>,
    /// <c>ExternalAction-RequestId</c>, …), else an acknowledged request whose message id it carries, else a
    /// <c>"requestId":"…"</c> in its body (read as text: the body may be the JSON the consumer could not parse).
    /// </summary>
    public static string? RequestIdOf(FaultedMessage message, IReadOnlyDictionary<Guid, string> requestIdsByMessageId)
    {
        foreach (var (name, value) in message.Headers)
        {
            var bare = name.Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal);
            if (bare.EndsWith("RequestId", StringComparison.OrdinalIgnoreCase) && value.Length > 0)
                return value;
        }
        if (Guid.TryParse(message.MessageId, out var messageId) && requestIdsByMessageId.TryGetValue(messageId, out var byId))
            return byId;
        return BodyRequestId().Match(message.Body) is { Success: true } match ? match.Groups[1].Value : null;
    }

    /// <summary>Each message with the request it belongs to (null when it cannot be told).</summary>
    /// <param name="acknowledged">Request ids the run was answered 200 with (for matching by message id).</param>
    public static IReadOnlyList<(FaultedMessage Message, string? RequestId)> Identify(IEnumerable<FaultedMessage> messages, IEnumerable<string> acknowledged)
    {
        var byMessageId = acknowledged.Distinct(StringComparer.Ordinal).ToDictionary(MessageIdOf);
        return messages.Select(m => (m, RequestIdOf(m, byMessageId))).ToList();
    }

    /// <param name="statuses">requestId → state for the identified requests that have a row; null when the table was not read (then no message counts as having one).</param>
    public static ErrorQueueSummary Account(IReadOnlyList<(FaultedMessage Message, string? RequestId)> messages, IReadOnlyDictionary<string, string>? statuses)
    {
        var byQueue = messages.GroupBy(m => m.Message.Queue, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.LongCount(), StringComparer.Ordinal);
        var withoutRow = messages.Where(m => m.RequestId is null || statuses is null || !statuses.ContainsKey(m.RequestId)).ToList();
        return new ErrorQueueSummary(byQueue, messages.Count(m => m.RequestId is not null), messages.Count - withoutRow.Count, withoutRow);
    }

    /// <summary>
    /// Up to <paramref name="max"/> messages of each queue, fetched without acknowledgement: closing the channel puts
    /// them all back (redelivered flag set), so the queues are as they were for whoever investigates next. A queue that
    /// does not exist (nothing ever faulted there) counts as empty.
    /// </summary>
    public static async Task<IReadOnlyList<FaultedMessage>> ReadAsync(string rabbitUrl, IEnumerable<string> queues, int max = 100_000, CancellationToken ct = default)
    {
        var messages = new List<FaultedMessage>();
        await using var connection = await new ConnectionFactory { Uri = new Uri(rabbitUrl), ClientProvidedName = "bench-error-queues" }.CreateConnectionAsync(ct);
        foreach (var queue in queues)
        {
            // A passive declare of a missing queue closes its channel: one channel per queue.
            await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
            try
            {
                await channel.QueueDeclarePassiveAsync(queue, ct);
            }
            catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
            {
                continue;
            }
            for (var i = 0; i < max && await channel.BasicGetAsync(queue, autoAck: false, ct) is { } got; i++)
            {
                var headers = (got.BasicProperties.Headers ?? new Dictionary<string, object?>())
                    .ToDictionary(h => h.Key, h => HeaderText(h.Value), StringComparer.OrdinalIgnoreCase);
                messages.Add(new FaultedMessage(queue, got.BasicProperties.MessageId, headers, Encoding.UTF8.GetString(got.Body.Span)));
            }
            await channel.CloseAsync(ct);
        }
        return messages;
    }

    private static string HeaderText(object? value) => value switch
    {
        null => "",
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "",
    };

    [GeneratedRegex("\"requestId\"\\s*:\\s*\"([^\"\\\\]{1,200})\"")]
    private static partial Regex BodyRequestId();
}
