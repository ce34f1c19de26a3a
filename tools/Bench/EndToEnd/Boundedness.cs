using System.Globalization;

namespace ExternalAction.Bench.EndToEnd;

/// <summary>
/// When an open-loop step of <c>e2e-max</c> counts as sustainable: the end-to-end backlog (requests sent and not yet
/// called back) stays bounded. Every condition must hold (docs/benchmarks.md, "e2e-max"):
/// <list type="number">
/// <item>every request of the step was answered 2xx and the generator dropped none (503s mean the intake gave up);</item>
/// <item>the backlog did not grow: its least-squares slope over the second half of the step is at most
/// <see cref="MaxGrowth"/> × the offered rate per second (a consumer at 95 % of the rate grows it by 5 % of the rate) —
/// or, if steeper, the backlog at the end is still below what that allowed growth adds up to over the half step (a
/// slope over a handful of requests is noise, not a queue building up);</item>
/// <item>the backlog at the end of the step is at most <see cref="MaxBacklogSeconds"/> × the rate (a second of work);</item>
/// <item>e2e latency did not grow: p99 of the requests sent in the second half ≤ <see cref="P99Growth"/> × the first
/// half's + <see cref="P99SlackMs"/> — judged only when each half has at least <see cref="MinSamplesForP99"/> callbacks
/// (below that, p99 is the half's maximum: one pause of a loaded machine, not a trend);</item>
/// <item>at least <see cref="MinCalledBack"/> of the step's acknowledged requests were called back within the settle
/// time after the step (otherwise their latency is unknown and the halves' p99 would flatter the step).</item>
/// </list>
/// </summary>
internal sealed record BoundedCriterion(
    double MaxGrowth = 0.05, double MaxBacklogSeconds = 1, double P99Growth = 2, double P99SlackMs = 50, double MinCalledBack = 0.99,
    int MinSamplesForP99 = 100);

/// <summary>The backlog <paramref name="Backlog"/> at <paramref name="Seconds"/> after the step started.</summary>
internal readonly record struct BacklogSample(double Seconds, long Backlog);

/// <summary>What a step measured, as the criterion needs it.</summary>
/// <param name="FewestInAHalf">Callbacks of the half with fewer of them (the halves' p99 rest on these).</param>
internal sealed record StepFigures(
    double Rate, double StepSeconds, long Errors, long Dropped, IReadOnlyList<BacklogSample> Samples,
    double? FirstHalfP99Ms, double? SecondHalfP99Ms, long Acknowledged, long CalledBack, long FewestInAHalf = long.MaxValue);

/// <summary>The criterion's judgement of one step: bounded or not, each failed condition in words, and the growth.</summary>
/// <param name="OnlyLatencyGrew">The latency condition is the only one that failed: the backlog stayed bounded and every
/// request was answered and called back. One pause of a shared machine does that too (<c>e2e-max --confirm</c>).</param>
internal sealed record StepVerdict(bool Bounded, IReadOnlyList<string> Reasons, double GrowthPerSecond, long EndBacklog, bool OnlyLatencyGrew = false);

internal static class Boundedness
{
    public static StepVerdict Judge(BoundedCriterion criterion, StepFigures step)
    {
        var reasons = new List<string>();
        string F(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);
        if (step.Errors > 0 || step.Dropped > 0)
            reasons.Add($"{step.Errors + step.Dropped} requests not answered 2xx");
        var secondHalf = step.Samples.Where(s => s.Seconds >= step.StepSeconds / 2).ToList();
        var growth = Slope(secondHalf);
        var end = step.Samples.Count == 0 ? 0 : step.Samples[^1].Backlog;
        if (growth > criterion.MaxGrowth * step.Rate && end >= criterion.MaxGrowth * step.Rate * step.StepSeconds / 2)
            reasons.Add($"backlog grew {F(growth)}/s over the second half (limit {F(criterion.MaxGrowth * step.Rate)}/s)");
        if (end > criterion.MaxBacklogSeconds * step.Rate)
            reasons.Add($"backlog {end} at the end of the step (limit {F(criterion.MaxBacklogSeconds * step.Rate)})");
        if (step.Acknowledged > 0 && step.CalledBack < criterion.MinCalledBack * step.Acknowledged)
            reasons.Add($"only {step.CalledBack} of {step.Acknowledged} acknowledged requests called back within the settle time");
        var latencyGrew = false;
        if (step.FirstHalfP99Ms is { } first && step.SecondHalfP99Ms is { } second && step.FewestInAHalf >= criterion.MinSamplesForP99
            && second > (criterion.P99Growth * first) + criterion.P99SlackMs)
        {
            latencyGrew = true;
            reasons.Add($"e2e p99 grew from {F(first)} ms (first half) to {F(second)} ms (second half)");
        }
        if (step.Acknowledged == 0)
            reasons.Add("no request was acknowledged");
        return new StepVerdict(reasons.Count == 0, reasons, growth, end, latencyGrew && reasons.Count == 1);
    }

    /// <summary>Least-squares slope (backlog per second) of the samples; 0 for fewer than two distinct times.</summary>
    public static double Slope(IReadOnlyList<BacklogSample> samples)
    {
        if (samples.Count < 2)
            return 0;
        var meanT = samples.Average(s => s.Seconds);
        var meanB = samples.Average(s => (double)s.Backlog);
        var varT = samples.Sum(s => (s.Seconds - meanT) * (s.Seconds - meanT));
        return varT <= 0 ? 0 : samples.Sum(s => (s.Seconds - meanT) * (s.Backlog - meanB)) / varT;
    }

    /// <summary>
    /// The offered rates to try before any bisection: <c>--rates</c> as given (ascending), or <paramref name="start"/>
    /// × <paramref name="factor"/>^i up to <paramref name="maxRate"/>.
    /// </summary>
    public static IReadOnlyList<double> Rates(double[]? explicitRates, double start, double factor, double maxRate)
    {
        if (explicitRates is { Length: > 0 })
        {
            if (explicitRates.Any(r => r <= 0))
                throw new ArgumentException("--rates must be positive.");
            return [.. explicitRates.Order()];
        }
        if (start <= 0 || factor <= 1 || maxRate < start)
            throw new ArgumentException("--start must be positive, --factor above 1 and --max-rate at least --start.");
        var rates = new List<double>();
        for (var rate = start; rate <= maxRate * 1.0000001; rate *= factor)
            rates.Add(Math.Round(rate));
        return rates.Distinct().ToList();
    }
}
