using System.Runtime.InteropServices;

namespace ExternalAction.Bench.Reporting;

/// <summary>The machine a run was measured on, recorded with every result (numbers mean little without it).</summary>
internal sealed record MachineInfo(int Cores, string Cpu, string Memory, string Os, string Runtime, bool ServerGc)
{
    public static MachineInfo Current() => new(
        Environment.ProcessorCount,
        ProcLine("/proc/cpuinfo", "model name") ?? RuntimeInformation.ProcessArchitecture.ToString(),
        ProcLine("/proc/meminfo", "MemTotal") is { } kb && long.TryParse(kb.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], out var total)
            ? $"{total / 1024.0 / 1024.0:0.0} GiB"
            : "unknown",
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        System.Runtime.GCSettings.IsServerGC);

    public override string ToString() => $"{Cores} cores ({Cpu}), {Memory}, {Os}, {Runtime}";

    private static string? ProcLine(string file, string key)
    {
        if (!File.Exists(file))
            return null;
        var line = File.ReadLines(file).FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
        return line?[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
    }
}
