using System.Globalization;
using ExternalAction.Bench.Cli;

namespace ExternalAction.Bench.Reporting;

/// <summary>
/// <c>report</c>: turns the results of <c>all</c>, <c>e2e</c> and <c>max</c> in <c>--results</c> into the generated
/// section of <c>--doc</c> (docs/benchmarks.md) and copies the plots to <c>--assets</c> (docs/bench). The exact
/// commands come from <c>commands.txt</c> in the results folder (bench/run.sh writes it).
/// </summary>
internal static class ReportCommand
{
    public static async Task<int> RunAsync(BenchContext context)
    {
        var options = context.Options;
        var results = options.Get("results", context.Results.Folder);
        var doc = Path.GetFullPath(options.Get("doc", "docs/benchmarks.md"));
        var assets = Path.GetFullPath(options.Get("assets", Path.Combine(Path.GetDirectoryName(doc)!, "bench")));
        Directory.CreateDirectory(assets);
        var all = await ResultFiles.ReadAsync(Path.Combine(results, "all.json"));
        var e2e = await ResultFiles.ReadAsync(Path.Combine(results, "e2e.json"));
        var max = await ResultFiles.ReadAsync(Path.Combine(results, "max.json"));
        if (all is null && e2e is null && max is null)
            throw new ArgumentException($"No all.json, e2e.json or max.json in {results}.");
        foreach (var name in new[] { "all", "e2e", "max" })
        {
            var svg = Path.Combine(results, $"{name}.svg");
            if (File.Exists(svg))
                File.Copy(svg, Path.Combine(assets, $"{name}-latency.svg"), overwrite: true);
        }
        var first = new[] { all, e2e, max }.First(r => r is not null)!;
        var header = string.Create(CultureInfo.InvariantCulture,
            $"Measured {first.StartedAt:yyyy-MM-dd HH:mm} UTC{(options.TryGet("commit", out var commit) ? $" at commit `{commit}`" : "")} on {first.Machine}" +
            $"{(options.TryGet("versions", out var versions) ? $"; {versions}" : "")}. The load generator, the Api, the Processor, RabbitMQ and PostgreSQL share this machine; all traffic is on loopback.");
        var commandsFile = Path.Combine(results, "commands.txt");
        var commands = File.Exists(commandsFile) ? await File.ReadAllTextAsync(commandsFile) : "(commands.txt not found in the results folder)";
        var images = Path.GetRelativePath(Path.GetDirectoryName(doc)!, assets).Replace('\\', '/') + "/";
        var section = BenchmarkDoc.Section(new DocInputs(all, e2e, max, header, commands, images));
        var existing = File.Exists(doc) ? await File.ReadAllTextAsync(doc) : "# Benchmarks\n";
        await File.WriteAllTextAsync(doc, BenchmarkDoc.Replace(existing, section));
        await context.Out.WriteLineAsync($"Wrote the latest-run section of {doc}; plots in {assets}.");
        return 0;
    }
}
