using ExternalAction.ServiceDefaults.Messaging;
using ExternalAction.Store;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ExternalAction.Api.Console.Pages;

/// <summary>
/// Requests per minute by outcome and by action over the last hours, end-to-end time (received → final) p50/p99, and
/// the queues' depth. Read from the status table (at most <see cref="MaxRows"/> requests) and the broker.
/// </summary>
public sealed class DashboardModel(StatusQueries queries, QueueDepths depths, TimeProvider clock) : PageModel
{
    public const int MaxRows = 50_000;

    [BindProperty(SupportsGet = true)] public int Hours { get; set; } = 3;

    public ConsoleChart? ByOutcome { get; private set; }
    public ConsoleChart? ByAction { get; private set; }
    public ConsoleChart? Latency { get; private set; }
    public double? P50Ms { get; private set; }
    public double? P99Ms { get; private set; }
    public int Finished { get; private set; }
    public int Rows { get; private set; }
    public bool Truncated { get; private set; }
    public IReadOnlyList<(string Queue, uint? Messages)> Depths { get; private set; } = [];
    public bool DepthsAvailable => depths.Available;

    public async Task OnGetAsync(CancellationToken ct)
    {
        Hours = Math.Clamp(Hours, 1, 24);
        var end = clock.GetUtcNow();
        var start = end.AddHours(-Hours);
        var rows = await queries.ActivitySinceAsync(start, MaxRows, ct);
        Rows = rows.Count;
        Truncated = rows.Count == MaxRows;
        var minutes = Hours * 60;
        int Minute(DateTimeOffset at) => Math.Clamp((int)((at - start).TotalMinutes), 0, minutes - 1);

        double[] Count(IEnumerable<ActivityRow> subset)
        {
            var buckets = new double[minutes];
            foreach (var row in subset)
                buckets[Minute(row.ReceivedAt)]++;
            return buckets;
        }

        ByOutcome = ConsoleChart.Of(rows.GroupBy(Outcome).OrderByDescending(g => g.Count()).Take(8)
            .Select(g => (g.Key, Count(g))).ToList(), "requests/min", start, end);
        ByAction = ConsoleChart.Of(rows.GroupBy(r => r.ActionName).OrderByDescending(g => g.Count()).Take(8)
            .Select(g => (g.Key, Count(g))).ToList(), "requests/min", start, end);

        var finished = rows.Where(r => RequestStatuses.IsFinal(r.Status)).ToList();
        Finished = finished.Count;
        if (finished.Count > 0)
        {
            var all = finished.Select(E2eMs).Order().ToArray();
            P50Ms = Percentile(all, 0.50);
            P99Ms = Percentile(all, 0.99);
            // Per ten minutes, so a percentile has some requests behind it.
            var slots = Math.Max(1, minutes / 10);
            var p50 = new double[slots];
            var p99 = new double[slots];
            foreach (var slot in finished.GroupBy(r => Math.Min(slots - 1, Minute(r.ReceivedAt) / 10)))
            {
                var times = slot.Select(E2eMs).Order().ToArray();
                p50[slot.Key] = Percentile(times, 0.50);
                p99[slot.Key] = Percentile(times, 0.99);
            }
            Latency = ConsoleChart.Of([("p50", p50), ("p99", p99)], "ms", start, end);
        }
        Depths = await depths.ReadAsync(ct);
    }

    /// <summary>Final rows by their status (and a callback's outcome); the rest as in progress.</summary>
    private static string Outcome(ActivityRow row) =>
        !RequestStatuses.IsFinal(row.Status) ? "in progress"
        : row.Outcome is { } outcome && row.Status == RequestStatuses.CallbackSent ? $"{row.Status} ({outcome})"
        : row.Status;

    private static double E2eMs(ActivityRow row) => Math.Max(0, (row.UpdatedAt - row.ReceivedAt).TotalMilliseconds);

    private static double Percentile(double[] sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
