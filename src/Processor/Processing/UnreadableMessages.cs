using System.Diagnostics.Metrics;
using System.Globalization;
using ExternalAction.Contracts.Messaging;
using ExternalAction.ServiceDefaults.Messaging;
using ExternalAction.Store;
using MassTransit;

namespace ExternalAction.Processor.Processing;

/// <summary>
/// An accepted request whose message this Processor cannot read (a bug, or a message from an incompatible release)
/// must never vanish: its status row ends <c>Failed</c> with the reason, taken from the transport headers the Api sets
/// (<see cref="AcceptedHeaders"/>), with a log line at Error and a count in <see cref="Meter"/>. The message itself
/// waits in <c>_error</c> for an operator to inspect.
/// </summary>
public sealed class UnreadableMessages(StatusStore store, TimeProvider clock, ILogger<UnreadableMessages> logger)
{
    public const string MeterName = "ExternalAction.Processor";
    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Unreadable = Meter.CreateCounter<long>(
        "externalaction.messages.unreadable", description: "Accepted-request messages whose body could not be read, by queue.");

    /// <summary>Records the failure; false when the headers do not even say which request it was.</summary>
    public async Task<bool> RecordAsync(Headers headers, string queue, Exception? error, CancellationToken ct)
    {
        Unreadable.Add(1, new KeyValuePair<string, object?>("queue", queue));
        var requestId = headers.Get<string>(AcceptedHeaders.RequestId);
        var reason = "the accepted message could not be read by this Processor"
                     + (error is null ? "" : $" ({LogText.Clean(error.GetType().Name + ": " + error.Message)})")
                     + "; no callback was sent. Replay it from the _error queue once the Processor can read it.";
        if (string.IsNullOrWhiteSpace(requestId) || requestId.Length > 200)
        {
            logger.LogError("A message on {Queue} could not be read and carries no request id header; it goes to the error queue: {Reason}", queue, reason);
            return false;
        }

        var now = clock.GetUtcNow();
        var row = new NewRequest
        {
            RequestId = requestId,
            ActionName = headers.Get<string>(AcceptedHeaders.ActionName) ?? "(unknown)",
            ActionVersion = headers.Get<string>(AcceptedHeaders.ActionVersion) ?? "",
            // Only a contract this release knows by name reaches the row; version 1 messages have no header and are B2B.
            Contract = headers.Get<string>(AcceptedHeaders.Contract) is { } contract && ContractNames.All.Contains(contract) ? contract : ContractNames.B2B,
            EntityType = headers.Get<string>(AcceptedHeaders.EntityType) ?? "",
            ReceivedAt = Time(headers.Get<string>(AcceptedHeaders.ReceivedAt)) ?? now,
            DeadlineAt = Time(headers.Get<string>(AcceptedHeaders.Deadline)) ?? now,
        };
        var owner = $"{Environment.MachineName}/{Environment.ProcessId}/unreadable/{Guid.NewGuid():N}";
        var claim = await store.ClaimAsync(row, owner, now, TimeSpan.FromMinutes(1), ct);
        if (claim.Claimed)
        {
            await store.UpdateAsync(requestId, new StatusUpdate
            {
                Status = RequestStatuses.Failed,
                Detail = reason,
                LastError = reason,
                Outcome = "Unreadable",
                ClearNextAttempt = true,
                ReleaseLease = true,
            }, owner, ct);
        }
        logger.LogError("Request {RequestId} on {Queue}: {Reason} Its row is {Status}.", LogText.Clean(requestId), queue, reason,
            claim.Claimed ? RequestStatuses.Failed : claim.Record.Status);
        return true;
    }

    private static DateTimeOffset? Time(string? unixMs) =>
        long.TryParse(unixMs, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
}

/// <summary>
/// Watches the processing endpoint for receives that fault because the body could not be deserialized (the
/// bus reads the message before any consume filter or retry runs, so this is where such a fault shows), and records
/// each through <see cref="UnreadableMessages"/>. MassTransit has already moved the message to <c>_error</c>.
/// </summary>
public sealed class UnreadableMessageObserver(UnreadableMessages unreadable) : IReceiveObserver
{
    public Task PreReceive(ReceiveContext context) => Task.CompletedTask;

    public Task PostReceive(ReceiveContext context) => Task.CompletedTask;

    public Task PostConsume<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType) where T : class => Task.CompletedTask;

    public Task ConsumeFault<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType, Exception exception) where T : class =>
        Task.CompletedTask;

    public async Task ReceiveFault(ReceiveContext context, Exception exception)
    {
        var queue = context.InputAddress?.AbsolutePath.Split('/').LastOrDefault();
        if (queue is not QueueNames.Process || !IsUnreadable(exception))
            return;
        await unreadable.RecordAsync(context.TransportHeaders, queue, exception, CancellationToken.None);
    }

    /// <summary>A fault of reading the body (JSON or MassTransit's serialization), not of processing it.</summary>
    public static bool IsUnreadable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
            if (e is System.Text.Json.JsonException or System.Runtime.Serialization.SerializationException or NotSupportedException)
                return true;
        return false;
    }
}

/// <summary>Text from outside (exception messages, ids) made safe for one log line: no control characters, bounded.</summary>
public static class LogText
{
    public static string Clean(string text)
    {
        var chars = text.Length > 500 ? text[..500].ToCharArray() : text.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
            if (char.IsControl(chars[i]))
                chars[i] = ' ';
        return new string(chars);
    }
}
