using ExternalAction.Bench.Intake;
using ExternalAction.Bench.Reporting;

namespace ExternalAction.Bench.Tests;

public sealed class MaxCommandTests
{
    private static LatencyReport Step(double throughput, double p99, params (string Status, long Count)[] statuses) =>
        new("step", 0, 1, 100, 100, throughput, 1, 1, p99, p99, p99, statuses.ToDictionary(s => s.Status, s => s.Count));

    [Test]
    public void The_maximum_is_the_best_throughput_of_a_step_without_failed_requests()
    {
        var best = MaxCommand.Best([Step(400, 5, ("200", 100)), Step(900, 20, ("200", 100)), Step(1200, 80, ("200", 99), ("503", 1))], [8, 32, 128]);

        Assert.That(best, Is.EqualTo(new MaxSustainable(900, 32, 20)));
    }

    [Test]
    public void A_p99_limit_excludes_slower_steps()
    {
        var best = MaxCommand.Best([Step(400, 5, ("200", 100)), Step(900, 20, ("200", 100))], [8, 32], p99LimitMs: 10);

        Assert.That(best?.Workers, Is.EqualTo(8));
    }

    [Test]
    public void No_step_without_failures_means_no_maximum()
    {
        Assert.That(MaxCommand.Best([Step(400, 5, ("HttpRequestException", 100))], [8]), Is.Null);
    }
}
