using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using ExternalAction.Bench.Cli;
using ExternalAction.Bench.EndToEnd;
using ExternalAction.Bench.Load;

namespace ExternalAction.Bench.Fuzz;

/// <summary>
/// <c>fuzz</c>: <c>--count</c> (10,000) mutated or malformed submissions to the intake, 16 at a time, some with a
/// wrong, missing or oversized header, while this tool plays the callback endpoint and the instant channel. Passes
/// when no answer is in the 5xx range, <c>/health/ready</c> answers 200 afterwards, every submission answered 200 has
/// an outcome (the e2e command's accounting: a final row and exactly one callback, or a documented failure state;
/// the status table is read with <c>--pg</c> or <c>--support-key</c>), and (with <c>--rabbit</c>) no message in
/// the Processor's <c>_error</c> queues lacks a status row. A 200 is a promise: checking the answers alone hid
/// acknowledged requests that then sat in <c>_error</c> (finding 19).
/// </summary>
internal static class FuzzCommand
{
    public static async Task<int> RunAsync(BenchContext context)
    {
        var options = context.Options;
        var count = options.Integer("count", 10_000, smoke: 200);
        var grace = options.Seconds("grace", 60, smoke: 20);
        var random = new Random(options.Integer("seed", 1));
        var target = context.Intake();
        // Mixed (the default with --api) takes the three entity types in turn: accountPerson bodies carry the
        // relationship items whose unknown fields the Processor once could not read.
        var entity = context.Entity;
        var ledger = new CallbackLedger();
        await using var sink = await CallbackSink.StartAsync(context.SinkPort, ledger);
        // Built up front, in order, so a seed (and --run) always yields the same bodies whatever the scheduling.
        var contents = Enumerable.Range(0, count).Select(i => Fuzzer.Mutate(i, random, entity, sink.Url, context.Run)).ToList();
        var tokens = new string?[count];
        var byStatus = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        var serverErrorsByKind = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        var acceptedByKind = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        var untracked = new ConcurrentBag<string>();
        var counters = new LiveCounters();
        var next = -1;
        await using (ProgressLine.ForRun(context.Error, "fuzz", TimeSpan.Zero, counters))
        {
            await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < count)
                {
                    var body = Bodies.Create(i, sink.Url, context.Run, entity);
                    // A mutation may have changed the token (a type flip to "text" or 42, which several submissions then
                    // share, and the intake dedupes on): only the run's own unique tokens go into the callback ledger.
                    var tracked = TokenOf(await contents[i].ReadAsByteArrayAsync()) == body.Token;
                    if (tracked)
                        ledger.Sent(body.Token, Stopwatch.GetTimestamp(), measured: false);
                    using var request = new HttpRequestMessage(HttpMethod.Post, target.Url(body)) { Content = contents[i] };
                    var header = options.Get("key-header", "X-API-Key");
                    if (i % 89 != 0)
                        request.Headers.TryAddWithoutValidation(header, i % 97 == 0 ? "wrong-key" : target.ApiKey ?? "");
                    if (i % 53 == 0)
                        request.Headers.TryAddWithoutValidation("X-Customer-ID", new string('h', 9000));
                    if (i % 71 == 0)
                        request.Headers.TryAddWithoutValidation(header, "second-key");
                    counters.OnSent();
                    string status;
                    try
                    {
                        using var response = await context.Http.SendAsync(request);
                        status = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
                        if (response.IsSuccessStatusCode && await RequestIdAsync(response) is { } requestId)
                        {
                            if (tracked)
                                ledger.Acknowledged(body.Token, requestId);
                            else
                                untracked.Add(requestId);
                            acceptedByKind.AddOrUpdate(Fuzzer.KindOf(i), 1, (_, n) => n + 1);
                        }
                    }
                    catch (HttpRequestException)
                    {
                        status = "connection error";
                    }
                    counters.OnCompleted(!status.StartsWith('5'));
                    byStatus.AddOrUpdate(status, 1, (_, n) => n + 1);
                    if (status.StartsWith('5'))
                        serverErrorsByKind.AddOrUpdate(Fuzzer.KindOf(i), 1, (_, n) => n + 1);
                }
            })));
        }
        using var ready = await context.Http.GetAsync($"{context.ApiBase}/health/ready");
        var serverErrors = byStatus.Where(s => s.Key.StartsWith('5')).Sum(s => s.Value);
        var markdown = new StringBuilder("| answer | count |\n|---|---|\n");
        foreach (var (status, n) in byStatus.OrderBy(s => s.Key, StringComparer.Ordinal))
            markdown.AppendLine(CultureInfo.InvariantCulture, $"| {status} | {n} |");
        foreach (var (kind, n) in serverErrorsByKind.OrderBy(s => s.Key, StringComparer.Ordinal))
            markdown.AppendLine(CultureInfo.InvariantCulture, $"| 5xx from mutation \"{kind}\" | {n} |");
        foreach (var (kind, n) in acceptedByKind.OrderBy(s => s.Key, StringComparer.Ordinal))
            markdown.AppendLine(CultureInfo.InvariantCulture, $"| 200 for mutation \"{kind}\" | {n} |");
        markdown.AppendLine(CultureInfo.InvariantCulture, $"\n{count} malformed submissions: {serverErrors} answered 5xx; /health/ready afterwards: {(int)ready.StatusCode}.\n");
        var problems = new List<string>();
        if (serverErrors > 0)
            problems.Add($"{serverErrors} answers in the 5xx range");
        if (!ready.IsSuccessStatusCode)
            problems.Add($"/health/ready answered {(int)ready.StatusCode} afterwards");

        // Every 200 must lead to an outcome, as in the e2e drills.
        var source = EndToEndCommand.StatusSource(context);
        await context.Error.WriteLineAsync($"Waiting up to {grace.TotalSeconds:0} s for the {ledger.AcknowledgedCount} submissions answered 200 to settle…");
        var accounting = await OutcomeAccounting.SettleAsync(ledger, source, grace, options.Seconds("late-duplicates", 3, smoke: 0.5), TimeSpan.FromSeconds(1));
        markdown.Append(EndToEndCommand.AccountingTable(accounting, grace, sink));
        problems.AddRange(EndToEndCommand.Problems(accounting).Where(p => accounting.Acknowledged > 0 || !p.StartsWith("no request", StringComparison.Ordinal)));
        // Answered 200 with a mutated token: no callback count (they share tokens), but each needs a final row.
        var shared = untracked.Distinct(StringComparer.Ordinal).ToList();
        if (shared.Count > 0 && source is not null)
        {
            var states = await source.StatusesAsync(shared, CancellationToken.None);
            var open = shared.Where(id => !(states.TryGetValue(id, out var state) && OutcomeAccounting.FinalStates.Contains(state))).ToList();
            markdown.AppendLine(CultureInfo.InvariantCulture, $"| answered 200 with a mutated token (row checked, callbacks not counted) | {shared.Count} |");
            markdown.AppendLine(CultureInfo.InvariantCulture, $"| &nbsp; of them without a final row | {open.Count} |");
            if (open.Count > 0)
                problems.Add($"{open.Count} submissions with a mutated token were answered 200 but have no final row (e.g. {open[0]}: {states.GetValueOrDefault(open[0], OutcomeAccounting.NoRow)})");
        }

        if (options.TryGet("rabbit", out var rabbit))
        {
            var queues = options.Get("error-queues", string.Join(',', ErrorQueues.Default)).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var faulted = await ErrorQueues.ReadAsync(rabbit, queues);
            var identified = ErrorQueues.Identify(faulted, ledger.Snapshot().Where(e => e.RequestId is not null).Select(e => e.RequestId!));
            var ids = identified.Select(m => m.RequestId).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
            var rows = source is null ? null
                : ids.Count == 0 ? new Dictionary<string, string>() : await source.StatusesAsync(ids, CancellationToken.None);
            var errors = ErrorQueues.Account(identified, rows);
            markdown.Append(ErrorQueueTable(errors, queues, source is not null));
            if (errors.WithoutRow.Count > 0)
                problems.Add($"{errors.WithoutRow.Count} messages in _error queues have no status row (acknowledged and lost{(source is null ? "; or the status table was not read: give --pg or --support-key" : "")})");
        }
        else
        {
            markdown.AppendLine("\n_error queues: not read (give --rabbit AMQP).");
        }
        markdown.AppendLine(CultureInfo.InvariantCulture, $"\n{(problems.Count == 0 ? "Fuzz drill passed" : "**Fuzz drill FAILED**: " + string.Join("; ", problems))}.");

        var result = context.Result("fuzz", []) with { Fuzz = new Dictionary<string, long>(byStatus, StringComparer.Ordinal), Accounting = accounting, Problems = problems };
        await context.Results.WriteAsync(options.Get("name", "fuzz"), result, markdown.ToString(), [], context.Out);
        foreach (var problem in problems)
            await context.Error.WriteLineAsync($"fuzz: {problem}");
        return problems.Count == 0 ? 0 : 1;
    }

    /// <summary>The string <c>token</c> of a body that is a JSON object; null for anything else.</summary>
    internal static string? TokenOf(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("token", out var token)
                && token.ValueKind == JsonValueKind.String ? token.GetString() : null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // Not JSON, or a string that is not valid UTF-8 (the "invalid UTF-8" mutation).
            return null;
        }
    }

    private static async Task<string?> RequestIdAsync(HttpResponseMessage response)
    {
        try
        {
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return body.RootElement.ValueKind == JsonValueKind.Object && body.RootElement.TryGetProperty("requestId", out var id) ? id.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    internal static string ErrorQueueTable(ErrorQueueSummary errors, IEnumerable<string> queues, bool statusChecked)
    {
        var text = new StringBuilder("\n| _error queue | messages |\n|---|---|\n");
        foreach (var queue in queues)
            text.AppendLine(CultureInfo.InvariantCulture, $"| {queue} | {errors.ByQueue.GetValueOrDefault(queue)} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| request identified (header, message id or body) | {errors.Identified} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| with a status row | {(statusChecked ? errors.WithRow.ToString(CultureInfo.InvariantCulture) : "not checked")} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| **without a status row** | {errors.WithoutRow.Count} |");
        foreach (var (message, requestId) in errors.WithoutRow.Take(10))
            text.AppendLine(CultureInfo.InvariantCulture, $"| &nbsp; {message.Queue}: {requestId ?? "(request not identified)"} | {message.Fault.Replace("|", "\\|", StringComparison.Ordinal)} |");
        return text.ToString();
    }
}
