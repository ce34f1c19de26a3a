using ExternalAction.Bench.EndToEnd;

namespace ExternalAction.Bench.Tests;

public sealed class BoundednessTests
{
    private static readonly BoundedCriterion Criterion = new();

    /// <summary>Samples every 0.25 s over a 10 s step, the backlog given by <paramref name="backlog"/>(seconds).</summary>
    private static List<BacklogSample> Samples(Func<double, long> backlog) =>
        Enumerable.Range(0, 41).Select(i => new BacklogSample(i * 0.25, backlog(i * 0.25))).ToList();

    private static StepFigures Step(double rate, List<BacklogSample> samples, double? firstP99 = 20, double? secondP99 = 22,
        long errors = 0, long acknowledged = 1000, long? calledBack = null) =>
        new(rate, 10, errors, 0, samples, firstP99, secondP99, acknowledged, calledBack ?? acknowledged);

    [Test]
    public void A_flat_small_backlog_with_steady_latency_is_bounded()
    {
        var verdict = Boundedness.Judge(Criterion, Step(100, Samples(t => 5 + ((long)(t * 4) % 3))));

        Assert.That(verdict.Bounded, Is.True, string.Join("; ", verdict.Reasons));
        Assert.That(verdict.Reasons, Is.Empty);
    }

    [Test]
    public void A_backlog_growing_faster_than_the_allowance_is_not_bounded()
    {
        // A consumer at 80 % of 100 req/s: the backlog grows 20 per second.
        var verdict = Boundedness.Judge(Criterion, Step(100, Samples(t => (long)(20 * t))));

        Assert.That(verdict.Bounded, Is.False);
        Assert.That(verdict.GrowthPerSecond, Is.EqualTo(20).Within(0.5));
        Assert.That(verdict.Reasons, Has.Some.Contains("backlog grew"));
    }

    [Test]
    public void Growth_within_the_allowance_is_bounded()
    {
        // 3 per second at 100 req/s is under 5 % of the rate; the backlog stays under a second of work.
        Assert.That(Boundedness.Judge(Criterion, Step(100, Samples(t => 10 + (long)(3 * t)))).Bounded, Is.True);
    }

    [Test]
    public void A_steep_slope_over_a_handful_of_requests_is_noise_not_growth()
    {
        // 0 until 7.5 s, then 4 waiting at 20 req/s: a least-squares slope (1.14/s) steeper than 5 % of the rate (1/s),
        // but 4 waiting is less than that allowed growth adds up to over the half step (1/s × 5 s = 5): noise, not a queue.
        var verdict = Boundedness.Judge(Criterion, Step(20, Samples(t => t < 7.5 ? 0 : 4)));

        Assert.That(verdict.GrowthPerSecond, Is.GreaterThan(0.05 * 20));
        Assert.That(verdict.Bounded, Is.True, string.Join("; ", verdict.Reasons));
    }

    [Test]
    public void A_flat_backlog_above_a_second_of_work_is_not_bounded()
    {
        var verdict = Boundedness.Judge(Criterion, Step(100, Samples(_ => 150)));

        Assert.That(verdict.Bounded, Is.False);
        Assert.That(verdict.Reasons, Has.Some.Contains("backlog 150 at the end"));
    }

    [Test]
    public void Latency_growing_over_the_step_is_not_bounded_even_with_a_flat_backlog()
    {
        var verdict = Boundedness.Judge(Criterion, Step(100, Samples(_ => 5), firstP99: 20, secondP99: 200));

        Assert.That(verdict.Bounded, Is.False);
        Assert.That(verdict.Reasons, Has.Some.Contains("e2e p99 grew"));
        Assert.That(Boundedness.Judge(Criterion, Step(100, Samples(_ => 5), firstP99: 20, secondP99: 89)).Bounded, Is.True, "2 × 20 + 50 ms is the limit");
    }

    [Test]
    public void A_step_that_failed_on_latency_alone_says_so_for_the_confirm_step()
    {
        Assert.That(Boundedness.Judge(Criterion, Step(100, Samples(_ => 5), firstP99: 20, secondP99: 200)).OnlyLatencyGrew, Is.True);
        Assert.That(Boundedness.Judge(Criterion, Step(100, Samples(t => (long)(20 * t)), firstP99: 20, secondP99: 200)).OnlyLatencyGrew, Is.False,
            "a growing backlog as well: an overload, no repeat");
        Assert.That(Boundedness.Judge(Criterion, Step(100, Samples(t => (long)(20 * t)))).OnlyLatencyGrew, Is.False);
        Assert.That(Boundedness.Judge(Criterion, Step(100, Samples(_ => 5))).OnlyLatencyGrew, Is.False, "bounded");
    }

    [Test]
    public void Latency_of_halves_with_few_callbacks_is_not_judged()
    {
        // 60 callbacks in a half: its p99 is its maximum, one pause of a loaded machine.
        var step = Step(40, Samples(_ => 1), firstP99: 5, secondP99: 114) with { FewestInAHalf = 60 };

        Assert.That(Boundedness.Judge(Criterion, step).Bounded, Is.True);
        Assert.That(Boundedness.Judge(Criterion, step with { FewestInAHalf = 100 }).Bounded, Is.False);
    }

    [Test]
    public void Refused_requests_or_missing_callbacks_make_a_step_unbounded()
    {
        Assert.That(Boundedness.Judge(Criterion, Step(100, Samples(_ => 5), errors: 3)).Reasons, Has.Some.Contains("3 requests not answered 2xx"));
        Assert.That(Boundedness.Judge(Criterion, Step(100, Samples(_ => 5), acknowledged: 1000, calledBack: 980)).Reasons,
            Has.Some.Contains("only 980 of 1000"));
        Assert.That(Boundedness.Judge(Criterion, Step(100, Samples(_ => 0), acknowledged: 0)).Bounded, Is.False);
    }

    [Test]
    public void The_slope_is_least_squares_and_zero_without_two_points()
    {
        Assert.That(Boundedness.Slope([new(0, 0), new(1, 10), new(2, 20)]), Is.EqualTo(10).Within(1e-9));
        Assert.That(Boundedness.Slope([new(1, 10)]), Is.Zero);
        Assert.That(Boundedness.Slope([new(1, 10), new(1, 30)]), Is.Zero);
    }

    [Test]
    public void Rates_are_the_given_list_in_order_or_a_geometric_series()
    {
        Assert.That(Boundedness.Rates([400, 100, 200], 1, 2, 1), Is.EqualTo(new[] { 100d, 200, 400 }));
        Assert.That(Boundedness.Rates(null, 50, 2, 400), Is.EqualTo(new[] { 50d, 100, 200, 400 }));
        Assert.That(Boundedness.Rates(null, 100, 1.5, 400), Is.EqualTo(new[] { 100d, 150, 225, 338 }));
        Assert.That(() => Boundedness.Rates(null, 100, 1, 400), Throws.ArgumentException.With.Message.Contains("--factor"));
        Assert.That(() => Boundedness.Rates([0, 10], 1, 2, 1), Throws.ArgumentException.With.Message.Contains("--rates"));
    }
}
