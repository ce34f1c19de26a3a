using System.Diagnostics.Metrics;
using ExternalAction.ServiceDefaults.Observability;

namespace ExternalAction.Api.Tests.Observability;

/// <summary>
/// The benchmarks' allocation counter (AllocationMetric) sums the runtime's allocation samples: a known allocation on
/// this thread shows up in it, within the sampling step (about 100 KB per heap), whatever the GC's heap count does.
/// </summary>
[NonParallelizable]
public sealed class AllocationMetricTests
{
    [Test]
    public async Task Twenty_megabytes_allocated_count_as_twenty_megabytes()
    {
        AllocationMetric.Start();
        var before = await SettledAsync();
        var keep = new List<byte[]>();
        for (var i = 0; i < 20; i++)
            keep.Add(new byte[1024 * 1024]);
        GC.KeepAlive(keep);
        const long twenty = 20L * 1024 * 1024;
        // The runtime hands its events to in-process listeners from a dispatcher thread, a moment later.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        var after = Read();
        while (after - before < twenty && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            after = Read();
        }
        // Other tests' threads may allocate meanwhile: at least the 20 MB, and not wildly more.
        Assert.That(after - before, Is.InRange(twenty - 256 * 1024, twenty + 64L * 1024 * 1024));
    }

    /// <summary>The counter once it has stopped moving for a moment (events of earlier allocations delivered).</summary>
    private static async Task<long> SettledAsync()
    {
        var last = Read();
        for (var i = 0; i < 20; i++)
        {
            await Task.Delay(200);
            var now = Read();
            if (now == last && now > 0)
                return now;
            last = now;
        }
        return last;
    }

    private static long Read()
    {
        long value = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "ExternalAction.Runtime" && instrument.Name == "externalaction.process.allocated")
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, measurement, _, _) => value = measurement);
        listener.Start();
        listener.RecordObservableInstruments();
        return value;
    }
}
