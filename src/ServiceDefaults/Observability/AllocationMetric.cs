using System.Diagnostics.Metrics;
using System.Diagnostics.Tracing;

namespace ExternalAction.ServiceDefaults.Observability;

/// <summary>
/// <c>externalaction.process.allocated</c>: bytes allocated on the managed heap since the counter started, for
/// benchmarks (allocations per request). Off unless <c>ExternalAction:Metrics:CountAllocations</c> is true.
/// <para>
/// Neither of the runtime's own counts serves on a server-GC host: the imprecise one
/// (<c>dotnet.gc.heap.total_allocated</c>) moves only at GCs (it stood still over 15 s and 3,000 Api requests on
/// 2026-12-04), and <c>GC.GetTotalAllocatedBytes(precise: true)</c> sums only the heaps active at the moment, which
/// DATAS (on by default with the server GC) shrinks and grows at run time (dotnet/runtime#131069): the same Api and load
/// read 6 and 46 KB per request in two runs. This counter sums the runtime's own allocation samples instead
/// (<c>GCAllocationTick</c>, one per ~100 KB allocated on a heap, carrying the amount since the previous one), which an
/// in-process listener receives whatever the heap count: exact to about 100 KB per heap. Not free: the runtime's
/// verbose GC events it subscribes to cost the Api about 0.1 ms of CPU per request (1.10×, docs/benchmarks.md), so it is
/// for allocation measurements, not for production or for runs that measure CPU.
/// </para>
/// </summary>
public sealed class AllocationMetric : EventListener
{
    public const string Setting = "ExternalAction:Metrics:CountAllocations";

    private static readonly Meter Meter = new("ExternalAction.Runtime");
    // One listener per process, however many hosts start it (the tests run the Api and the Processor in one process).
    private static readonly Lazy<AllocationMetric> Listener = new(() =>
    {
        var listener = new AllocationMetric();
        Meter.CreateObservableCounter("externalaction.process.allocated", () => Interlocked.Read(ref listener._allocated), unit: "By",
            description: "Bytes allocated on the managed heap since counting started (sum of the runtime's allocation samples).");
        return listener;
    });

    private long _allocated;

    /// <summary>Starts counting (once per process) and publishes the counter on the "ExternalAction.*" meters both hosts export.</summary>
    public static void Start() => _ = Listener.Value;

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
            EnableEvents(source, EventLevel.Verbose, (EventKeywords)GcKeyword);
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.EventId != AllocationTickEventId || e.PayloadNames is not { } names || e.Payload is not { } payload)
            return;
        var index = names.IndexOf("AllocationAmount64");
        if (index >= 0 && payload[index] is ulong amount)
            Interlocked.Add(ref _allocated, (long)amount);
    }

    private const long GcKeyword = 0x1;
    private const int AllocationTickEventId = 10;
}
