using ExternalAction.Bench.EndToEnd;
using ExternalAction.Bench.Reporting;

namespace ExternalAction.Bench.Tests;

public sealed class BenchmarkDocTests
{
    private static readonly MachineInfo Machine = new(2, "cpu", "4 GiB", "Linux", ".NET", true);

    private static LatencyReport Run(string name, double rate, double throughput, double p99) =>
        new(name, rate, 10, 100, 100, throughput, 1, 2, p99, p99, p99, new Dictionary<string, long> { ["200"] = 100 });

    private static BenchResult Result(string command, params LatencyReport[] runs) =>
        new(command, DateTimeOffset.UnixEpoch, Machine, new Dictionary<string, string>(), runs);

    private static DocInputs Inputs()
    {
        var all = Result("all", Run("floor@1000", 1000, 1000, 1), Run("naive@1000", 1000, 1000, 4), Run("intake@1000", 1000, 950, 25))
            with { Ratios = [new(1000, 0.95, 6.25, 25)] };
        var e2e = Result("e2e", Run("intake-ack@500", 500, 500, 3), Run("end-to-end@500", 500, 500, 40)) with
        {
            Accounting = new OutcomeSummary(100, 100, 0, 0, 0, 0, 0, 0, 0, true, new Dictionary<string, long> { ["CallbackSent"] = 100 }, new Dictionary<string, long>()),
        };
        var max = Result("max", Run("closed-loop-32", 0, 1234, 30)) with { Max = new MaxSustainable(1234, 32, 30) };
        return new DocInputs(all, e2e, max, "header", "bash bench/run.sh", "bench/");
    }

    [Test]
    public void Each_target_is_judged_and_a_miss_says_by_how_much()
    {
        var table = BenchmarkDoc.TargetTable(Inputs());

        Assert.That(table, Does.Contain("| intake throughput ≥ naive confirm-per-request endpoint, same run | 0.95× at 1000 req/s | **missed** by 5% |"));
        Assert.That(table, Does.Contain("| ack p99 ≤ 10 ms at 1000 req/s | 25.00 ms | **missed** by 2.5× |"));
        Assert.That(table, Does.Contain("| end-to-end p99 ≤ 50 ms at 500 req/s | 40.00 ms | met |"));
        Assert.That(table, Does.Contain("| 0 lost, 0 duplicated of 100 acknowledged | met |"));
        Assert.That(table, Does.Contain("1234 req/s (32 workers, p99 30.0 ms)"));
    }

    [Test]
    public void Missing_results_are_reported_as_not_measured()
    {
        var table = BenchmarkDoc.TargetTable(new DocInputs(null, null, null, "", "", ""));

        Assert.That(table.Split('\n').Count(l => l.Contains("not measured", StringComparison.Ordinal)), Is.EqualTo(5));
    }

    [Test]
    public void The_section_has_the_header_commands_tables_and_plots()
    {
        var section = BenchmarkDoc.Section(Inputs());

        Assert.That(section, Does.StartWith(BenchmarkDoc.Start).And.EndWith(BenchmarkDoc.End + "\n"));
        Assert.That(section, Does.Contain("header").And.Contain("```bash\nbash bench/run.sh\n```"));
        Assert.That(section, Does.Contain("| intake@1000 |").And.Contain("| end-to-end@500 |").And.Contain("| closed-loop-32 |"));
        Assert.That(section, Does.Contain("](bench/all-latency.svg)").And.Contain("](bench/e2e-latency.svg)").And.Contain("](bench/max-latency.svg)"));
    }

    [Test]
    public void The_section_replaces_only_what_is_between_the_markers()
    {
        var document = $"# Title\n\nintro\n\n{BenchmarkDoc.Start}\nold numbers\n{BenchmarkDoc.End}\n\n## Analysis\n\nkept\n";

        var updated = BenchmarkDoc.Replace(document, $"{BenchmarkDoc.Start}\nnew\n{BenchmarkDoc.End}\n");

        Assert.That(updated, Is.EqualTo($"# Title\n\nintro\n\n{BenchmarkDoc.Start}\nnew\n{BenchmarkDoc.End}\n\n## Analysis\n\nkept\n"));
    }

    [Test]
    public void Without_markers_the_section_is_appended()
    {
        Assert.That(BenchmarkDoc.Replace("# Title\n", "S\n"), Is.EqualTo("# Title\n\nS\n"));
    }
}
