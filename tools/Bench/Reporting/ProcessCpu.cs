using System.Diagnostics;
using System.Globalization;

namespace ExternalAction.Bench.Reporting;

/// <summary>
/// CPU time of named server processes (<c>--cpu api=PID,naive=PID,processor=PID</c>), sampled at the start and end of
/// each measured step: user + system time, which on Linux is what bench/lib.sh's <c>cpu_ticks</c> reads from
/// <c>/proc/PID/stat</c> (fields 14 and 15), so a step's CPU per request is measured as compare.sh measures a run's.
/// </summary>
internal sealed class ProcessCpu(IReadOnlyDictionary<string, int> pids)
{
    public static readonly ProcessCpu None = new(new Dictionary<string, int>());

    public IReadOnlyDictionary<string, int> Pids { get; } = pids;

    public bool Any => Pids.Count > 0;

    /// <summary><c>name=pid,name=pid</c>; names are letters, digits, '-' and '_'.</summary>
    public static ProcessCpu Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
            return None;
        var pids = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var pair in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = pair.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || parts[0].Length == 0 || !parts[0].All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
                || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid <= 0)
                throw new ArgumentException($"--cpu takes name=pid pairs separated by commas (e.g. api=1234,naive=5678), not '{pair}'.");
            pids[parts[0]] = pid;
        }
        return new ProcessCpu(pids);
    }

    /// <summary>Total CPU time of each process now; a process that is gone (or not ours to read) is left out.</summary>
    public IReadOnlyDictionary<string, TimeSpan> Sample()
    {
        var sample = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        foreach (var (name, pid) in Pids)
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                sample[name] = process.TotalProcessorTime;
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Exited (a drill killed it): no figure rather than a wrong one.
            }
        }
        return sample;
    }

    /// <summary>Milliseconds of CPU per request of each process sampled both times; null when nothing was measured.</summary>
    public static IReadOnlyDictionary<string, double>? PerRequest(IReadOnlyDictionary<string, TimeSpan> before, IReadOnlyDictionary<string, TimeSpan> after, long requests)
    {
        if (before.Count == 0 || requests <= 0)
            return null;
        var perRequest = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, start) in before)
        {
            if (after.TryGetValue(name, out var end))
                perRequest[name] = (end - start).TotalMilliseconds / requests;
        }
        return perRequest.Count == 0 ? null : perRequest;
    }

    /// <summary>A markdown table: one row per run that has CPU figures, one column per process.</summary>
    public static string Table(IEnumerable<LatencyReport> reports)
    {
        var measured = reports.Where(r => r.CpuMsPerRequest is { Count: > 0 }).ToList();
        if (measured.Count == 0)
            return "";
        var names = measured.SelectMany(r => r.CpuMsPerRequest!.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var text = new System.Text.StringBuilder("| run | " + string.Join(" | ", names.Select(n => $"{n} CPU ms/req")) + " |\n|---|" + string.Concat(names.Select(_ => "---|")) + "\n");
        foreach (var r in measured)
            text.AppendLine("| " + r.Name + " | " + string.Join(" | ", names.Select(n => r.CpuMsPerRequest!.TryGetValue(n, out var ms) ? ms.ToString("0.000", CultureInfo.InvariantCulture) : "—")) + " |");
        return text.ToString();
    }
}
