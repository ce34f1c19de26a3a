using System.Diagnostics;
using System.Globalization;
using System.Text;
using ExternalAction.Bench.Cli;
using ExternalAction.Bench.Load;
using ExternalAction.Bench.Reporting;
using HdrHistogram;

namespace ExternalAction.Bench.EndToEnd;

/// <summary>One open-loop step of <c>e2e-max</c>.</summary>
internal sealed record EndToEndStep(
    double Rate, double Achieved, double AckP99Ms, double? E2eP99Ms, double? FirstHalfP99Ms, double? SecondHalfP99Ms,
    long Acknowledged, long CalledBack, long BacklogMax, long BacklogEnd, double GrowthPerSecond, bool Bounded,
    IReadOnlyList<string> Reasons, string Phase, IReadOnlyDictionary<string, double>? CpuMsPerRequest = null);

/// <summary>The backlog after the first overloaded step, until it is empty (graceful overload).</summary>
/// <param name="Backlog">Backlog when the overloaded step ended.</param>
/// <param name="Seconds">Until it was empty, or the drain timeout.</param>
/// <param name="RatePerSecond">Requests called back per second meanwhile: the consumer's rate under a full queue.</param>
internal sealed record DrainFigures(double OverloadRate, long Backlog, double Seconds, double RatePerSecond, bool Drained);

/// <summary>A point of the timeline plot: seconds since the first step, the offered rate, backlog and callbacks so far.</summary>
internal readonly record struct TimelinePoint(double Seconds, double OfferedRate, long Backlog, long CalledBack);

internal sealed record EndToEndMax(BoundedCriterion Criterion, IReadOnlyList<EndToEndStep> Steps, double? MaxRate, DrainFigures? Drain,
    IReadOnlyList<TimelinePoint> Timeline);

/// <summary>
/// <c>e2e-max</c>: the maximum sustainable end-to-end rate. Open-loop steps at rising rates (<c>--rates</c>, or
/// <c>--start</c> × <c>--factor</c>ⁱ up to <c>--max-rate</c>), each <c>--step</c> seconds, with this tool as the
/// platform's callback endpoint and instant channel (as <c>e2e</c>). Each step is judged by <see cref="BoundedCriterion"/>;
/// the first step that is not bounded is the overload: the backlog is then left to drain and its drain rate measured
/// (graceful overload: the consumer keeps its maximum rate). <c>--bisect N</c> then tries N rates between the highest
/// bounded and the first unbounded. The outcome accounting (lost, duplicated) covers every request of the run.
/// </summary>
internal static class EndToEndMaxCommand
{
    private static readonly TimeSpan SampleEvery = TimeSpan.FromMilliseconds(250);

    public static async Task<int> RunAsync(BenchContext context)
    {
        var options = context.Options;
        var rates = Boundedness.Rates(options.TryGet("rates", out _) ? options.Numbers("rates", "") : null,
            options.Number("start", 50, smoke: 20), options.Number("factor", 1.5), options.Number("max-rate", 5000, smoke: 40));
        var stepDuration = options.Seconds("step", 10, smoke: 2);
        var settle = options.Seconds("settle", 10, smoke: 5);
        var drainTimeout = options.Seconds("drain-timeout", 120, smoke: 30);
        var bisect = options.Integer("bisect", 0);
        var confirm = options.Integer("confirm", 1);
        var grace = options.Seconds("grace", 120, smoke: 20);
        var criterion = new BoundedCriterion(options.Number("max-growth", 0.05), options.Number("max-backlog-seconds", 1),
            options.Number("p99-growth", 2), options.Number("p99-slack-ms", 50), options.Number("min-called-back", 0.99),
            options.Integer("min-samples-for-p99", 100));

        var ledger = new CallbackLedger();
        var windows = new StepWindows();
        ledger.OnFirstCallback = windows.Record;
        await using var sink = await CallbackSink.StartAsync(context.SinkPort, ledger);
        var target = context.Intake();
        var acknowledge = EndToEndCommand.Acknowledger(ledger, context.Run);

        var warmup = options.Seconds("warmup", Measurement.WarmUpSeconds, smoke: 0);
        if (warmup > TimeSpan.Zero)
        {
            await Measurement.OpenLoopAsync(context, "warm-up", target, Math.Min(rates[0], 100), warmup, sink.Url,
                onSent: (body, due) => ledger.Sent(body.Token, due, measured: false), onResponse: acknowledge, firstIndex: Measurement.WarmUpIndex);
            await WaitForEmptyAsync(ledger, null, TimeSpan.FromSeconds(30));
        }

        var timeline = new Timeline(ledger);
        var steps = new List<EndToEndStep>();
        var plot = new List<(string, LongHistogram)>();
        DrainFigures? drain = null;
        double? lo = null, hi = null;
        long index = 0;

        async Task<(EndToEndStep Step, bool OnlyLatencyGrew)> StepAsync(double rate, string phase)
        {
            var window = windows.Open(Stopwatch.GetTimestamp(), stepDuration);
            var counters = new LiveCounters();
            timeline.Start(rate, counters);
            var first = index;
            var measured = await Measurement.OpenLoopAsync(context, $"e2e-step@{rate:0}", target, rate, stepDuration, sink.Url,
                onSent: (body, due) => ledger.Sent(body.Token, due), onResponse: acknowledge, firstIndex: first, counters: counters,
                extraProgress: () => $"  backlog {ledger.AwaitingCallback}");
            index += measured.Load.Sent + measured.Load.Dropped;
            var samples = timeline.Stop();
            // Late callbacks of this step still count for its halves: wait for the backlog to empty, up to --settle.
            await WaitForEmptyAsync(ledger, timeline, settle);
            var acknowledged = measured.Report.ByStatus.Where(s => s.Key.StartsWith('2')).Sum(s => s.Value);
            var figures = new StepFigures(rate, measured.Load.Seconds, measured.Report.Errors, measured.Load.Dropped, samples,
                window.FirstP99Ms, window.SecondP99Ms, acknowledged, window.Count, window.FewestInAHalf);
            var verdict = Boundedness.Judge(criterion, figures);
            plot.Add(($"e2e@{rate:0}", window.All()));
            var step = new EndToEndStep(rate, measured.Report.Throughput, measured.Report.P99Ms, window.P99Ms, window.FirstP99Ms, window.SecondP99Ms,
                acknowledged, window.Count, samples.Count == 0 ? 0 : samples.Max(s => s.Backlog), verdict.EndBacklog, verdict.GrowthPerSecond,
                verdict.Bounded, verdict.Reasons, phase, measured.Report.CpuMsPerRequest);
            steps.Add(step);
            await context.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"step {rate:0} req/s: {(verdict.Bounded ? "bounded" : "NOT bounded: " + string.Join("; ", verdict.Reasons))}"));
            return (step, verdict.OnlyLatencyGrew);
        }

        // A step whose only failure is the tail latency of its second half (backlog bounded, everything called back) is
        // run again at the same rate, up to --confirm times, and counts as bounded if a repeat is: a queue that builds up
        // does so again, one pause of the shared machine (a neighbour, a GC, a checkpoint) does not come back on cue.
        async Task<EndToEndStep> JudgedStepAsync(double rate, string phase)
        {
            var (step, onlyLatency) = await StepAsync(rate, phase);
            for (var i = 0; i < confirm && !step.Bounded && onlyLatency; i++)
                (step, onlyLatency) = await StepAsync(rate, "confirm");
            return step;
        }

        foreach (var rate in rates)
        {
            var step = await JudgedStepAsync(rate, "search");
            if (step.Bounded)
            {
                lo = rate;
                continue;
            }
            hi = rate;
            drain = await DrainAsync(ledger, timeline, rate, drainTimeout);
            break;
        }
        for (var i = 0; i < bisect && lo is { } low && hi is { } high && drain?.Drained != false; i++)
        {
            var mid = Math.Round((low + high) / 2);
            if (mid <= low || mid >= high)
                break;
            if ((await JudgedStepAsync(mid, "bisect")).Bounded)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
                if (!(await DrainAsync(ledger, timeline, mid, drainTimeout)).Drained)
                    break;
            }
        }

        var source = EndToEndCommand.StatusSource(context);
        await context.Error.WriteLineAsync($"Waiting up to {grace.TotalSeconds:0} s for every acknowledged request to settle…");
        var accounting = await OutcomeAccounting.SettleAsync(ledger, source, grace, options.Seconds("late-duplicates", 3, smoke: 0.5), TimeSpan.FromSeconds(1));
        var figuresAll = new EndToEndMax(criterion, steps, lo, drain, timeline.Points);
        var problems = EndToEndCommand.Problems(accounting).ToList();
        if (lo is null)
            problems.Add("no step was bounded");
        var markdown = Markdown(figuresAll) + "\n" + EndToEndCommand.AccountingTable(accounting, grace, sink);
        var name = options.Get("name", "e2e-max");
        var result = context.Result("e2e-max", []) with { EndToEndMax = figuresAll, Accounting = accounting, Problems = problems };
        await context.Results.WriteAsync(name, result, markdown, plot, context.Out);
        var svg = Path.Combine(context.Results.Folder, $"{name}-timeline.svg");
        await File.WriteAllTextAsync(svg, TimelinePlot.Svg($"{name}: offered rate, callbacks and backlog over time", figuresAll));
        await context.Out.WriteLineAsync($"Timeline plot: {svg}");
        return problems.Count == 0 ? 0 : 1;
    }

    public static string Markdown(EndToEndMax max)
    {
        string Ms(double? ms) => ms is { } v ? v.ToString("0.0", CultureInfo.InvariantCulture) : "—";
        var text = new StringBuilder("| phase | offered req/s | acked req/s | ack p99 ms | e2e p99 ms | e2e p99 1st half | e2e p99 2nd half | acked | called back | backlog max | backlog end | growth /s | bounded | why not |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        foreach (var s in max.Steps)
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {s.Phase} | {s.Rate:0} | {s.Achieved:0.0} | {s.AckP99Ms:0.0} | {Ms(s.E2eP99Ms)} | {Ms(s.FirstHalfP99Ms)} | {Ms(s.SecondHalfP99Ms)} | {s.Acknowledged} | {s.CalledBack} | {s.BacklogMax} | {s.BacklogEnd} | {s.GrowthPerSecond:0.0} | {(s.Bounded ? "yes" : "**no**")} | {string.Join("; ", s.Reasons)} |");
        text.AppendLine();
        text.AppendLine(max.MaxRate is { } rate
            ? string.Create(CultureInfo.InvariantCulture, $"Maximum sustainable end-to-end rate: **{rate:0} req/s** (highest step whose backlog stayed bounded).")
            : "No step was bounded: the maximum sustainable end-to-end rate is below the first step.");
        if (max.Drain is { } d)
        {
            var ratio = max.MaxRate is { } m && m > 0 ? string.Create(CultureInfo.InvariantCulture, $" = {d.RatePerSecond / m:0.00}× the maximum bounded rate") : "";
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"Overload at {d.OverloadRate:0} req/s left a backlog of {d.Backlog}; it {(d.Drained ? "drained" : "had NOT drained")} in {d.Seconds:0.0} s at **{d.RatePerSecond:0.0} callbacks/s**{ratio}."));
        }
        var c = max.Criterion;
        text.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"Bounded = every request answered 2xx, backlog slope over the second half ≤ {c.MaxGrowth:0.###} × rate per second, backlog at the end ≤ {c.MaxBacklogSeconds:0.##} s of work, second-half e2e p99 ≤ {c.P99Growth:0.##} × first half + {c.P99SlackMs:0} ms (with ≥ {c.MinSamplesForP99} callbacks in each half; a step that fails on this alone is run again, phase confirm, and counts as bounded if the repeat is), ≥ {c.MinCalledBack:P0} called back within the settle time."));
        var cpu = max.Steps.Where(s => s.CpuMsPerRequest is { Count: > 0 }).ToList();
        if (cpu.Count > 0)
        {
            var names = cpu.SelectMany(s => s.CpuMsPerRequest!.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            text.AppendLine().AppendLine("| offered req/s | " + string.Join(" | ", names.Select(n => $"{n} CPU ms/req")) + " |");
            text.AppendLine("|---|" + string.Concat(names.Select(_ => "---|")));
            foreach (var s in cpu)
                text.AppendLine(s.Rate.ToString("| 0 | ", CultureInfo.InvariantCulture) + string.Join(" | ", names.Select(n => s.CpuMsPerRequest!.TryGetValue(n, out var v) ? v.ToString("0.000", CultureInfo.InvariantCulture) : "—")) + " |");
        }
        return text.ToString();
    }

    /// <summary>Waits after an unbounded step until the backlog is empty (or the timeout), measuring the drain rate.</summary>
    private static async Task<DrainFigures> DrainAsync(CallbackLedger ledger, Timeline timeline, double rate, TimeSpan timeout)
    {
        // The settle wait already ran: the drain is measured from the end of the step, which Timeline remembers.
        var (endedAt, backlog, calledBack) = timeline.LastStepEnd;
        var remaining = timeout - Stopwatch.GetElapsedTime(endedAt);
        await WaitForEmptyAsync(ledger, timeline, remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
        var seconds = Stopwatch.GetElapsedTime(endedAt).TotalSeconds;
        var done = ledger.CalledBackCount - calledBack;
        return new DrainFigures(rate, backlog, seconds, done / Math.Max(seconds, 1e-9), ledger.AwaitingCallback == 0);
    }

    private static async Task WaitForEmptyAsync(CallbackLedger ledger, Timeline? timeline, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (ledger.AwaitingCallback > 0 && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(SampleEvery);
            timeline?.Idle();
        }
    }

    /// <summary>Per step, the e2e latency of its requests by when they were sent: first half, second half.</summary>
    private sealed class StepWindows
    {
        private readonly List<Window> _windows = [];

        public Window Open(long start, TimeSpan duration)
        {
            var window = new Window(start, start + (long)(duration.TotalSeconds / 2 * Stopwatch.Frequency));
            lock (_windows)
                _windows.Add(window);
            return window;
        }

        public void Record(long sentTicks, long latencyTicks)
        {
            Window? match;
            lock (_windows)
                match = _windows.LastOrDefault(w => sentTicks >= w.Start);
            match?.Record(sentTicks, latencyTicks);
        }
    }

    private sealed class Window(long start, long middle)
    {
        private readonly LongHistogram _first = LatencyReport.NewHistogram();
        private readonly LongHistogram _second = LatencyReport.NewHistogram();

        public long Start { get; } = start;

        public long Count
        {
            get
            {
                lock (this)
                    return _first.TotalCount + _second.TotalCount;
            }
        }

        public long FewestInAHalf
        {
            get
            {
                lock (this)
                    return Math.Min(_first.TotalCount, _second.TotalCount);
            }
        }

        public double? FirstP99Ms => P99(_first);
        public double? SecondP99Ms => P99(_second);
        public double? P99Ms => P99(All());

        public void Record(long sentTicks, long latencyTicks)
        {
            // A request a late generator sent after the step's end still belongs to its second half.
            var micros = Math.Clamp(latencyTicks * 1_000_000 / Stopwatch.Frequency, 0, LatencyReport.HighestMicros);
            lock (this)
                (sentTicks < middle ? _first : _second).RecordValue(micros);
        }

        public LongHistogram All()
        {
            lock (this)
            {
                var all = LatencyReport.NewHistogram();
                all.Add(_first);
                all.Add(_second);
                return all;
            }
        }

        private double? P99(LongHistogram histogram)
        {
            lock (this)
                return histogram.TotalCount == 0 ? null : histogram.GetValueAtPercentile(99) / 1000.0;
        }
    }

    /// <summary>Samples the backlog (acknowledged without a callback, plus requests in flight at the intake) four times a second.</summary>
    private sealed class Timeline(CallbackLedger ledger)
    {
        private readonly long _origin = Stopwatch.GetTimestamp();
        private readonly List<TimelinePoint> _points = [];
        private readonly List<BacklogSample> _step = [];
        private CancellationTokenSource? _stop;
        private Task? _sampler;
        private long _stepStart;
        private double _rate;

        public IReadOnlyList<TimelinePoint> Points
        {
            get
            {
                lock (_points)
                    return [.. _points];
            }
        }

        public (long EndedAt, long Backlog, long CalledBack) LastStepEnd { get; private set; }

        public void Start(double rate, LiveCounters counters)
        {
            _rate = rate;
            _stepStart = Stopwatch.GetTimestamp();
            lock (_step)
                _step.Clear();
            _stop = new CancellationTokenSource();
            var token = _stop.Token;
            _sampler = Task.Run(async () =>
            {
                using var timer = new PeriodicTimer(SampleEvery);
                try
                {
                    do
                    {
                        var backlog = ledger.AwaitingCallback + counters.InFlight;
                        lock (_step)
                            _step.Add(new BacklogSample(Stopwatch.GetElapsedTime(_stepStart).TotalSeconds, backlog));
                        Add(_rate, backlog);
                    }
                    while (await timer.WaitForNextTickAsync(token));
                }
                catch (OperationCanceledException)
                {
                }
            }, CancellationToken.None);
        }

        /// <summary>Ends the step's sampling and returns its samples, the last one taken now.</summary>
        public IReadOnlyList<BacklogSample> Stop()
        {
            _stop?.Cancel();
            _sampler?.Wait();
            _stop?.Dispose();
            var backlog = ledger.AwaitingCallback;
            LastStepEnd = (Stopwatch.GetTimestamp(), backlog, ledger.CalledBackCount);
            lock (_step)
            {
                _step.Add(new BacklogSample(Stopwatch.GetElapsedTime(_stepStart).TotalSeconds, backlog));
                Add(_rate, backlog);
                return [.. _step];
            }
        }

        /// <summary>A point between steps (offered rate 0).</summary>
        public void Idle() => Add(0, ledger.AwaitingCallback);

        private void Add(double rate, long backlog)
        {
            lock (_points)
                _points.Add(new TimelinePoint(Stopwatch.GetElapsedTime(_origin).TotalSeconds, rate, backlog, ledger.CalledBackCount));
        }
    }
}
