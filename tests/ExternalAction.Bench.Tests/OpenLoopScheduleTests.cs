using System.Diagnostics;
using ExternalAction.Bench.Load;

namespace ExternalAction.Bench.Tests;

public sealed class OpenLoopScheduleTests
{
    [Test]
    public void Requests_are_due_at_even_intervals_of_one_over_the_rate()
    {
        var schedule = new OpenLoopSchedule(1000, TimeSpan.FromSeconds(1));

        Assert.That(schedule.DueTicks(0), Is.Zero);
        Assert.That(schedule.DueTicks(1), Is.EqualTo(Stopwatch.Frequency / 1000).Within(1));
        Assert.That(schedule.DueTicks(500), Is.EqualTo(Stopwatch.Frequency / 2).Within(1));
        Assert.That(schedule.DueTicks(1000) - schedule.DueTicks(999), Is.EqualTo(Stopwatch.Frequency / 1000).Within(1));
    }

    [Test]
    public void The_total_is_the_rate_times_the_duration()
    {
        Assert.That(new OpenLoopSchedule(1000, TimeSpan.FromSeconds(10)).Total, Is.EqualTo(10_000));
        Assert.That(new OpenLoopSchedule(50, TimeSpan.FromSeconds(0.5)).Total, Is.EqualTo(25));
        Assert.That(new OpenLoopSchedule(3, TimeSpan.FromSeconds(1.5)).Total, Is.EqualTo(5), "4.5 rounds to the nearest request");
    }

    [Test]
    public void After_a_late_wake_up_every_overdue_request_is_due_at_once()
    {
        var schedule = new OpenLoopSchedule(100, TimeSpan.FromSeconds(10));

        Assert.That(schedule.DueBy(-1), Is.Zero);
        Assert.That(schedule.DueBy(0), Is.EqualTo(1), "the first request leaves at the start");
        Assert.That(schedule.DueBy(Stopwatch.Frequency / 100 - 1), Is.EqualTo(1));
        Assert.That(schedule.DueBy(Stopwatch.Frequency / 2), Is.EqualTo(51), "a generator stalled for 500 ms owes 50 more requests, not one");
        Assert.That(schedule.DueBy(Stopwatch.Frequency * 60), Is.EqualTo(1000), "never more than the run's total");
    }
}
