// Where a host allocates, from the runtime's AllocationTick events in a dotnet-trace file (bench/alloc-profile.sh):
// each event stands for about 100 KB allocated since the previous one, with the type of the object that crossed the
// threshold and the stack that allocated it. Sampled, so a small share is noise; the large shares are the places to cut.
// Usage: AllocReport TRACE.nettrace [--requests N] [--top K] [--type NAME] (--type: only the samples of that type, e.g. System.Byte[])
using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

if (args.Length < 1)
{
    Console.Error.WriteLine("usage: AllocReport TRACE.nettrace [--requests N] [--top K] [--type NAME]");
    return 2;
}
var trace = args[0];
long requests = 0;
var top = 25;
string? onlyType = null;
for (var i = 1; i < args.Length - 1; i++)
{
    if (args[i] == "--requests") requests = long.Parse(args[++i]);
    else if (args[i] == "--top") top = int.Parse(args[++i]);
    else if (args[i] == "--type") onlyType = args[++i];
}

var etlx = TraceLog.CreateFromEventPipeDataFile(trace, Path.ChangeExtension(trace, ".etlx"));
using var log = new TraceLog(etlx);
var byType = new Dictionary<string, long>();
var inclusive = new Dictionary<string, long>();
var owner = new Dictionary<string, long>();
long total = 0, samples = 0;
foreach (var data in log.Events)
{
    if (data is not GCAllocationTickTraceData tick) continue;
    if (onlyType is not null && tick.TypeName != onlyType) continue;
    var amount = tick.AllocationAmount64;
    total += amount;
    samples++;
    Add(byType, tick.TypeName ?? "?", amount);
    var seen = new HashSet<string>();
    string? first = null;
    for (var frame = data.CallStack(); frame is not null; frame = frame.Caller)
    {
        var module = frame.CodeAddress.ModuleName ?? "?";
        var method = frame.CodeAddress.FullMethodName;
        if (string.IsNullOrEmpty(method)) method = $"{module}!?";
        if (seen.Add(method)) Add(inclusive, method, amount);
        if (first is null && !IsRuntimeLibrary(module)) first = $"{method} [{module}]";
    }
    Add(owner, first ?? "(no frame outside the runtime's libraries)", amount);
}

Console.WriteLine((onlyType is null ? "" : $"{onlyType} only: ") + $"{samples} allocation samples, {total / 1024.0 / 1024.0:F1} MB sampled" +
                  (requests > 0 ? $", {requests} requests: {total / 1024.0 / requests:F1} KB per request" : ""));
Table("allocated type", byType);
Table("nearest frame outside the runtime's own libraries (System.Private.CoreLib, System.Collections, System.Linq, System.Memory, System.Runtime)", owner);
Table("inclusive: every method on the allocating stacks (roots near 100 % left out)", inclusive.Where(p => p.Value < total * 0.9).ToDictionary());
return 0;

void Table(string title, Dictionary<string, long> rows)
{
    Console.WriteLine();
    Console.WriteLine($"| {title} | share | " + (requests > 0 ? "KB/request |" : "MB |"));
    Console.WriteLine("|---|---|---|");
    foreach (var (key, value) in rows.OrderByDescending(p => p.Value).Take(top))
    {
        var size = requests > 0 ? value / 1024.0 / requests : value / 1024.0 / 1024.0;
        Console.WriteLine($"| `{Shorten(key)}` | {100.0 * value / total:F1} % | {size:F1} |");
    }
}

static void Add(Dictionary<string, long> map, string key, long amount) =>
    map[key] = map.TryGetValue(key, out var sum) ? sum + amount : amount;

static bool IsRuntimeLibrary(string module) =>
    module is "System.Private.CoreLib" or "System.Linq" or "System.Memory" or "System.Runtime" or "?"
    || module.StartsWith("System.Collections", StringComparison.Ordinal)
    || module.StartsWith("System.Runtime.", StringComparison.Ordinal);

static string Shorten(string name)
{
    name = name.Replace('|', '/');
    return name.Length <= 160 ? name : name[..157] + "...";
}
