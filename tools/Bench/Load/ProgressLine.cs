using System.Diagnostics;

namespace ExternalAction.Bench.Load;

/// <summary>
/// A status line on stderr while a run goes: rewritten in place each second on a terminal, one line every five
/// seconds when stderr is a file or a CI log.
/// </summary>
internal sealed class ProgressLine : IAsyncDisposable
{
    private readonly TextWriter _writer;
    private readonly Func<TimeSpan, string> _render;
    private readonly bool _inPlace;
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public ProgressLine(TextWriter writer, Func<TimeSpan, string> render)
    {
        _writer = writer;
        _render = render;
        _inPlace = ReferenceEquals(writer, Console.Error) && !Console.IsErrorRedirected;
        _loop = LoopAsync();
    }

    /// <summary>The usual line of a load run: elapsed, sent, answered, in flight, failures, plus an optional suffix.</summary>
    public static ProgressLine ForRun(TextWriter writer, string label, TimeSpan planned, LiveCounters counters, Func<string>? extra = null) =>
        new(writer, elapsed => $"[{label}] {elapsed.TotalSeconds,5:0.0}{(planned > TimeSpan.Zero ? $"/{planned.TotalSeconds:0}" : "")} s  sent {counters.Sent}  answered {counters.Completed}  in flight {counters.InFlight}  failed {counters.Failed}{extra?.Invoke()}");

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(_inPlace ? 1 : 5));
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
                Write();
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Write()
    {
        var line = _render(Stopwatch.GetElapsedTime(_started));
        if (_inPlace)
            _writer.Write($"\r{line}   ");
        else
            _writer.WriteLine(line);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        Write();
        if (_inPlace)
            _writer.WriteLine();
        _stop.Dispose();
    }
}
