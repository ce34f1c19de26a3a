using System.Collections.Concurrent;
using System.Text;

namespace ExternalAction.Api.Console;

/// <summary>
/// First run only (Development): a callback endpoint on the Api itself, <c>POST /dev/callbacks/{name}</c>, that keeps
/// the last <see cref="Capacity"/> callbacks in memory so README's trial request has somewhere to call back to and the
/// console can show what arrived (<c>/console/inbox</c>). Never mapped in any other environment; the callback token
/// and Authorization headers are not kept.
/// </summary>
public sealed class DevelopmentInbox
{
    public const string Path = "/dev/callbacks";
    public const int Capacity = 100;
    public const int MaxBodyBytes = 64 * 1024;

    private readonly ConcurrentQueue<ReceivedCallback> _received = new();

    public sealed record ReceivedCallback(DateTimeOffset At, string Name, string? RequestId, string Body);

    public IReadOnlyList<ReceivedCallback> Newest() => [.. _received.Reverse()];

    internal void Add(ReceivedCallback callback)
    {
        _received.Enqueue(callback);
        while (_received.Count > Capacity)
            _received.TryDequeue(out _);
    }

    internal static void Map(WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
            return;
        app.MapPost(Path + "/{name}", async (string name, HttpRequest request, DevelopmentInbox inbox, TimeProvider clock, CancellationToken ct) =>
        {
            var buffer = new byte[MaxBodyBytes];
            var length = 0;
            int read;
            while (length < buffer.Length && (read = await request.Body.ReadAsync(buffer.AsMemory(length), ct)) > 0)
                length += read;
            var requestId = request.Headers["X-Request-Id"].ToString();
            inbox.Add(new ReceivedCallback(clock.GetUtcNow(), name.Length > 64 ? name[..64] : name,
                requestId.Length is > 0 and <= 64 ? requestId : null, Encoding.UTF8.GetString(buffer, 0, length)));
            return Results.Json(new { status = "accepted", message = "Callback received by the development inbox" });
        }).AllowAnonymous().ExcludeFromDescription();
    }
}
