using System.Text.Json;
using HdrHistogram;

namespace ExternalAction.Bench.Reporting;

/// <summary>Writes a command's result into the results folder: <c>{name}.json</c>, <c>{name}.md</c> and <c>{name}.svg</c>.</summary>
internal sealed class ResultFiles(string folder)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public string Folder { get; } = Directory.CreateDirectory(folder).FullName;

    public async Task WriteAsync(string name, BenchResult result, string markdown, IEnumerable<(string Name, LongHistogram Histogram)> plot, TextWriter console)
    {
        await File.WriteAllTextAsync(Path.Combine(Folder, $"{name}.json"), JsonSerializer.Serialize(result, Json));
        await File.WriteAllTextAsync(Path.Combine(Folder, $"{name}.md"), markdown);
        var histograms = plot.ToList();
        if (histograms.Count > 0)
            await File.WriteAllTextAsync(Path.Combine(Folder, $"{name}.svg"), LatencyPlot.Svg($"{name}: latency by percentile", histograms));
        await console.WriteLineAsync(markdown);
        await console.WriteLineAsync($"Results: {Path.Combine(Folder, name)}.json|.md{(histograms.Count > 0 ? "|.svg" : "")}");
    }

    public static async Task<BenchResult?> ReadAsync(string path) =>
        File.Exists(path) ? JsonSerializer.Deserialize<BenchResult>(await File.ReadAllTextAsync(path), Json) : null;
}
