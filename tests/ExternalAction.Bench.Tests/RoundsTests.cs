using ExternalAction.Bench.Cli;
using ExternalAction.Bench.Load;
using ExternalAction.Bench.Reporting;

namespace ExternalAction.Bench.Tests;

public sealed class RoundsTests
{
    /// <summary>A window of <paramref name="fast"/> answers at 5 ms and <paramref name="slow"/> at 400 ms (a broker stall).</summary>
    private static Measured Window(string name, int fast, int slow, double apiCpuMs, double seconds = 10)
    {
        var latency = LatencyReport.NewHistogram();
        var lag = LatencyReport.NewHistogram();
        latency.RecordValueWithCount(5_000, fast);
        if (slow > 0)
            latency.RecordValueWithCount(400_000, slow);
        lag.RecordValueWithCount(1_000, fast + slow);
        var byStatus = new Dictionary<string, long> { ["200"] = fast + slow };
        var load = new LoadResult(latency, lag, byStatus, fast + slow, 0, seconds);
        var report = LatencyReport.From(name, 100, seconds, fast + slow, latency, byStatus, 0, lag)
            with { CpuMsPerRequest = new Dictionary<string, double> { ["api"] = apiCpuMs } };
        return new Measured(report, latency, load);
    }

    [Test]
    public void Each_round_starts_one_target_later_so_no_target_always_follows_the_pause()
    {
        string[] targets = ["floor", "naive", "intake"];

        Assert.That(Rounds.Order(targets, 0), Is.EqualTo(new[] { "floor", "naive", "intake" }));
        Assert.That(Rounds.Order(targets, 1), Is.EqualTo(new[] { "naive", "intake", "floor" }));
        Assert.That(Rounds.Order(targets, 3), Is.EqualTo(new[] { "floor", "naive", "intake" }));
    }

    [Test]
    public void Pooling_adds_the_histograms_so_one_windows_stall_weighs_as_its_share_of_all_requests()
    {
        // Alone, the stalled window's p99 is the stall (2 % of its requests); pooled with a clean window it is 1 % of them,
        // and p99.9 still shows it.
        var stalled = Window("sfmc@100#1", fast: 980, slow: 20, apiCpuMs: 1.0);
        var clean = Window("sfmc@100#2", fast: 1000, slow: 0, apiCpuMs: 2.0);
        Assert.That(stalled.Report.P99Ms, Is.EqualTo(400).Within(1));

        var pooled = Rounds.Pool("sfmc@100", 100, [stalled, clean]);

        Assert.That(pooled.Report.Name, Is.EqualTo("sfmc@100"));
        Assert.That(pooled.Report.Sent, Is.EqualTo(2000));
        Assert.That(pooled.Report.Completed, Is.EqualTo(2000));
        Assert.That(pooled.Report.DurationSeconds, Is.EqualTo(20));
        Assert.That(pooled.Report.ByStatus["200"], Is.EqualTo(2000));
        Assert.That(pooled.Report.P99Ms, Is.EqualTo(5).Within(0.1), "20 slow answers of 2,000 are exactly the top 1 %");
        Assert.That(pooled.Report.P999Ms, Is.EqualTo(400).Within(1));
        Assert.That(pooled.Report.CpuMsPerRequest!["api"], Is.EqualTo(1.5).Within(1e-9), "weighted by each window's answered requests");
    }

    [Test]
    public void One_window_is_its_own_pool_under_the_pooled_name()
    {
        var only = Window("intake@100", fast: 100, slow: 0, apiCpuMs: 1);

        var pooled = Rounds.Pool("intake@100", 100, [only]);

        Assert.That(pooled.Report, Is.EqualTo(only.Report));
    }

    [Test]
    public void The_median_ratio_compares_each_round_with_its_own_baseline_window()
    {
        // Round p99s, target over intake: 400/5 = 80 (a stall in the target's window), 5/5 = 1, 5/400 ≈ 0.0125.
        var windows = new[]
        {
            Window("sfmc@100#1", 980, 20, 1).Report, Window("intake@100#1", 1000, 0, 1).Report,
            Window("sfmc@100#2", 1000, 0, 1).Report, Window("intake@100#2", 1000, 0, 1).Report,
            Window("sfmc@100#3", 1000, 0, 1).Report, Window("intake@100#3", 980, 20, 1).Report,
        };

        Assert.That(Rounds.MedianRatio(windows, "sfmc", "intake", 100), Is.EqualTo(1).Within(1e-9));
        Assert.That(Rounds.MedianRatio(windows[..4], "sfmc", "intake", 100), Is.EqualTo((80 + 1) / 2.0).Within(0.5), "an even count takes the mean of the middle two");
        Assert.That(Rounds.MedianRatio(windows, "sfmc", "intake", 200), Is.Null, "no window at that rate");
        Assert.That(Rounds.MedianRatio([Window("sfmc@100", 10, 0, 1).Report, Window("intake@100", 10, 0, 1).Report], "sfmc", "intake", 100),
            Is.EqualTo(1).Within(1e-9), "one round keeps the plain names");
    }

    [Test]
    public void The_window_table_lists_each_targets_p99_per_round_and_nothing_for_one_round()
    {
        var windows = new[] { Window("sfmc@100#1", 980, 20, 1).Report, Window("sfmc@100#2", 1000, 0, 1).Report };

        Assert.That(Rounds.WindowTable(windows), Does.Contain("| sfmc@100 | 400.").And.Contain(" · 5.0 |"));
        Assert.That(Rounds.WindowTable([Window("sfmc@100", 10, 0, 1).Report]), Is.Empty);
    }
}
