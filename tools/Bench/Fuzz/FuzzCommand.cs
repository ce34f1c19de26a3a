using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using ExternalAction.Bench.Cli;
using ExternalAction.Bench.Load;

namespace ExternalAction.Bench.Fuzz;

/// <summary>
/// <c>fuzz</c>: <c>--count</c> (10,000) mutated or malformed submissions to the intake, 16 at a time, some with a
/// wrong, missing or oversized header. Passes when no answer is in the 5xx range and <c>/health/ready</c> answers 200
/// afterwards.
/// </summary>
internal static class FuzzCommand
{
    public static async Task<int> RunAsync(BenchContext context)
    {
        var options = context.Options;
        var count = options.Integer("count", 10_000, smoke: 200);
        var random = new Random(options.Integer("seed", 1));
        var target = context.Intake();
        var entity = context.Entity ?? EntityKind.Lead;
        // Built up front, in order, so a seed always yields the same bodies whatever the scheduling.
        var contents = Enumerable.Range(0, count).Select(i => Fuzzer.Mutate(i, random, entity)).ToList();
        var byStatus = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        var serverErrorsByKind = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        var counters = new LiveCounters();
        var next = -1;
        await using (ProgressLine.ForRun(context.Error, "fuzz", TimeSpan.Zero, counters))
        {
            await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < count)
                {
                    var body = Bodies.Create(i, "http://127.0.0.1:5099", "fuzz", entity);
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
        markdown.AppendLine(CultureInfo.InvariantCulture, $"\n{count} malformed submissions: {serverErrors} answered 5xx; /health/ready afterwards: {(int)ready.StatusCode}.");
        var problems = new List<string>();
        if (serverErrors > 0)
            problems.Add($"{serverErrors} answers in the 5xx range");
        if (!ready.IsSuccessStatusCode)
            problems.Add($"/health/ready answered {(int)ready.StatusCode} afterwards");
        var result = context.Result("fuzz", []) with { Fuzz = new Dictionary<string, long>(byStatus, StringComparer.Ordinal), Problems = problems };
        await context.Results.WriteAsync(options.Get("name", "fuzz"), result, markdown.ToString(), [], context.Out);
        return problems.Count == 0 ? 0 : 1;
    }
}
