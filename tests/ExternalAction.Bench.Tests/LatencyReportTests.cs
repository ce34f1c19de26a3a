using System.Xml.Linq;
using ExternalAction.Bench.Reporting;

namespace ExternalAction.Bench.Tests;

public sealed class LatencyReportTests
{
    private static HdrHistogram.LongHistogram OneToThousandMs()
    {
        var histogram = LatencyReport.NewHistogram();
        for (var ms = 1; ms <= 1000; ms++)
            histogram.RecordValue(ms * 1000L);
        return histogram;
    }

    [Test]
    public void Percentiles_and_throughput_come_from_a_known_histogram()
    {
        var report = LatencyReport.From("known", 100, 10, 1000, OneToThousandMs(), new Dictionary<string, long> { ["200"] = 1000 });

        Assert.That(report.P50Ms, Is.EqualTo(500).Within(0.5));
        Assert.That(report.P90Ms, Is.EqualTo(900).Within(0.5));
        Assert.That(report.P99Ms, Is.EqualTo(990).Within(1));
        Assert.That(report.P999Ms, Is.EqualTo(999).Within(1));
        Assert.That(report.MaxMs, Is.EqualTo(1000).Within(1));
        Assert.That(report.Completed, Is.EqualTo(1000));
        Assert.That(report.Throughput, Is.EqualTo(100));
    }

    [Test]
    public void An_empty_histogram_reports_zeros_rather_than_failing()
    {
        var report = LatencyReport.From("empty", 100, 1, 0, LatencyReport.NewHistogram(), new Dictionary<string, long>());

        Assert.That(new[] { report.P50Ms, report.P99Ms, report.MaxMs, report.Throughput }, Has.All.Zero);
    }

    [Test]
    public void Errors_are_every_answer_outside_2xx_and_every_request_without_one()
    {
        var report = LatencyReport.From("mixed", 1, 1, 10, LatencyReport.NewHistogram(),
            new Dictionary<string, long> { ["200"] = 5, ["201"] = 1, ["400"] = 1, ["503"] = 2, ["HttpRequestException"] = 1 });

        Assert.That(report.Errors, Is.EqualTo(4));
    }

    [Test]
    public void The_markdown_table_has_the_percentiles_throughput_and_answers_by_status()
    {
        var report = LatencyReport.From("known", 100, 10, 1000, OneToThousandMs(), new Dictionary<string, long> { ["503"] = 3, ["200"] = 997 }, dropped: 2);

        var table = LatencyReport.MarkdownTable([report]);

        Assert.That(table, Does.Contain("| run | target req/s | achieved req/s | sent | answered | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | answers by status |"));
        Assert.That(table, Does.Contain("| known | 100 | 100.0 | 1000 | 1000 | 500."));
        Assert.That(table, Does.Contain("| 200:997 503:3 dropped:2 |"));
    }

    [Test]
    public void The_plot_is_standalone_svg_with_a_line_and_a_legend_per_series()
    {
        var fast = LatencyReport.NewHistogram();
        fast.RecordValue(100);
        var svg = LatencyPlot.Svg("title <&>", [("slow", OneToThousandMs()), ("fast", fast), ("empty", LatencyReport.NewHistogram())]);

        var document = XDocument.Parse(svg);
        XNamespace ns = "http://www.w3.org/2000/svg";
        Assert.That(document.Root!.Name, Is.EqualTo(ns + "svg"));
        Assert.That(document.Descendants(ns + "polyline").Count(), Is.EqualTo(2), "an empty series draws nothing");
        Assert.That(document.Descendants(ns + "text").Select(t => t.Value), Does.Contain("slow").And.Contain("fast").And.Contain("title <&>"));
    }

    [Test]
    public void The_plot_places_percentiles_on_a_nines_scale()
    {
        Assert.That(LatencyPlot.Nines(0), Is.Zero);
        Assert.That(LatencyPlot.Nines(90), Is.EqualTo(0.25).Within(1e-9));
        Assert.That(LatencyPlot.Nines(99), Is.EqualTo(0.5).Within(1e-9));
        Assert.That(LatencyPlot.Nines(99.99), Is.EqualTo(1).Within(1e-9));
    }
}
