using System.Globalization;

namespace ExternalAction.Bench.Reporting;

/// <summary>
/// CPU time of the .NET runtime's tiered compilation worker in another process: the thread that re-compiles hot
/// methods (tier 0 → instrumented → optimised) in the background. It is named ".NET Tiered Compilation Worker", which
/// Linux cuts to the 15 characters of <c>/proc/PID/task/TID/comm</c>. A fresh host spends a third of its CPU there for
/// a minute or more under load (docs/benchmarks.md), so a measurement that starts before it falls quiet measures the
/// JIT, not the steady state.
/// </summary>
internal sealed class TieredJit(int pid, string procRoot = "/proc")
{
    public const string ThreadName = ".NET Tiered Com";

    /// <summary>Clock ticks per second of <c>/proc/PID/task/TID/stat</c> (USER_HZ: 100 on Linux's mainstream architectures).</summary>
    public const int TicksPerSecond = 100;

    private Dictionary<int, long> _last = new();

    public int Pid { get; } = pid;

    /// <summary>False when the process is gone (or its task list cannot be read).</summary>
    public bool Alive => Directory.Exists(Path.Combine(procRoot, Pid.ToString(CultureInfo.InvariantCulture), "task"));

    /// <summary>
    /// CPU the worker threads used since the previous call (the first call: since they started). A worker that started
    /// in between counts from zero; one that exited in between loses the part of its time after the previous call
    /// (the runtime ends an idle worker and starts another when there is work again).
    /// </summary>
    public TimeSpan Since()
    {
        var now = Ticks();
        long used = 0;
        foreach (var (tid, ticks) in now)
            used += ticks - (_last.TryGetValue(tid, out var before) ? Math.Min(before, ticks) : 0);
        _last = now;
        return TimeSpan.FromSeconds((double)used / TicksPerSecond);
    }

    /// <summary>User + system ticks of each worker thread of the process now.</summary>
    internal Dictionary<int, long> Ticks()
    {
        var found = new Dictionary<int, long>();
        var tasks = Path.Combine(procRoot, Pid.ToString(CultureInfo.InvariantCulture), "task");
        IEnumerable<string> threads;
        try
        {
            threads = Directory.EnumerateDirectories(tasks).ToList();
        }
        catch (Exception e) when (e is DirectoryNotFoundException or IOException or UnauthorizedAccessException)
        {
            return found;
        }
        foreach (var thread in threads)
        {
            try
            {
                if (File.ReadAllText(Path.Combine(thread, "comm")).TrimEnd('\n') != ThreadName
                    || !int.TryParse(Path.GetFileName(thread), NumberStyles.None, CultureInfo.InvariantCulture, out var tid)
                    || CpuTicks(File.ReadAllText(Path.Combine(thread, "stat"))) is not { } ticks)
                    continue;
                found[tid] = ticks;
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException or UnauthorizedAccessException)
            {
                // The thread ended while the list was read.
            }
        }
        return found;
    }

    /// <summary>
    /// utime + stime (fields 14 and 15) of a stat line. The name (field 2) is in parentheses and may hold spaces and
    /// parentheses ("(.NET Tiered Com)"), so the fields are counted from the last ')'.
    /// </summary>
    internal static long? CpuTicks(string stat)
    {
        var close = stat.LastIndexOf(')');
        if (close < 0)
            return null;
        var fields = stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // fields[0] is field 3 (state): utime is field 14, stime field 15.
        return fields.Length > 12
            && long.TryParse(fields[11], NumberStyles.None, CultureInfo.InvariantCulture, out var user)
            && long.TryParse(fields[12], NumberStyles.None, CultureInfo.InvariantCulture, out var system)
            ? user + system
            : null;
    }
}
