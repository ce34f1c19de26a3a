using ExternalAction.Bench.Cli;
using ExternalAction.Bench.Reporting;
using ExternalAction.Bench.Tests.Fakes;
using ExternalAction.TestSupport;

namespace ExternalAction.Bench.Tests;

/// <summary>Short runs of <c>e2e-max</c> and of <c>max</c> with the naive endpoint, against <see cref="FakeIntake"/>.</summary>
public sealed class MeasuringCommandsTests
{
    private string _out = "";

    [SetUp]
    public void CreateOutputFolder() => _out = Directory.CreateTempSubdirectory("bench-test-").FullName;

    [TearDown]
    public void DeleteOutputFolder() => Directory.Delete(_out, recursive: true);

    private async Task<(int Exit, string Output)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await BenchCommands.RunAsync([.. args, "--out", _out, "--sink-port", "0"], output, error);
        return (exit, output + error.ToString());
    }

    private async Task<BenchResult> ResultAsync(string name) => (await ResultFiles.ReadAsync(Path.Combine(_out, $"{name}.json")))!;

    [Test]
    public async Task E2e_max_finds_the_highest_bounded_rate_of_a_consumer_with_a_capacity_and_measures_the_drain()
    {
        // The fake calls back at most 100 per second: 20 and 40 req/s are bounded (with room for a loaded machine), 250 req/s is not.
        await using var intake = await new FakeIntake { CallbackRate = 100 }.StartAsync();

        var (exit, output) = await RunAsync("e2e-max", "--rates", "20,40,250", "--step", "3", "--settle", "5", "--drain-timeout", "60",
            "--warmup", "0", "--grace", "30", "--api", intake.Url, "--key", FakeIntake.Key, "--support-key", FakeIntake.SupportKey,
            "--cpu", $"tool={Environment.ProcessId}");

        Assert.That(exit, Is.Zero, output);
        var result = await ResultAsync("e2e-max");
        var max = result.EndToEndMax!;
        Assert.That(max.Steps.Select(s => (s.Rate, s.Bounded)), Is.EqualTo(new[] { (20d, true), (40d, true), (250d, false) }), output);
        Assert.That(max.MaxRate, Is.EqualTo(40));
        Assert.That(max.Steps[2].Reasons, Has.Some.Contains("backlog"));
        Assert.That(max.Drain, Is.Not.Null);
        Assert.That(max.Drain!.Drained, Is.True);
        Assert.That(max.Drain.Backlog, Is.GreaterThan(200), "250 req/s for 3 s against 100 callbacks/s");
        Assert.That(max.Drain.RatePerSecond, Is.InRange(40, 115), "the backlog drains at about the consumer's rate");
        Assert.That(result.Accounting!.Lost, Is.Zero);
        Assert.That(result.Accounting.Duplicated, Is.Zero);
        Assert.That(max.Steps[0].CpuMsPerRequest!.Keys, Is.EqualTo(new[] { "tool" }));
        Assert.That(max.Timeline, Is.Not.Empty);
        Assert.That(File.ReadAllText(Path.Combine(_out, "e2e-max.md")), Does.Contain("Maximum sustainable end-to-end rate: **40 req/s**"));
        Assert.That(File.ReadAllText(Path.Combine(_out, "e2e-max-timeline.svg")), Does.StartWith("<svg").And.Contain("callbacks/s"));
    }

    [Test]
    public async Task E2e_max_runs_a_step_again_when_only_its_tail_latency_grew_and_counts_the_repeat()
    {
        // Submissions 300-329 (the second half of the only 100 req/s step) are called back after a 600 ms pause, once: the
        // backlog stays bounded, the second half's p99 is the pause. The repeat at the same rate has no pause.
        await using var intake = await new FakeIntake { PausedSubmissions = 300..330, PauseFor = TimeSpan.FromMilliseconds(600) }.StartAsync();

        var (exit, output) = await RunAsync("e2e-max", "--rates", "100", "--step", "4", "--settle", "5",
            "--warmup", "0", "--grace", "30", "--api", intake.Url, "--key", FakeIntake.Key);

        Assert.That(exit, Is.Zero, output);
        var max = (await ResultAsync("e2e-max")).EndToEndMax!;
        Assert.That(max.Steps.Select(s => (s.Phase, s.Rate, s.Bounded)), Is.EqualTo(new[] { ("search", 100d, false), ("confirm", 100d, true) }), output);
        Assert.That(max.Steps[0].Reasons, Is.EqualTo(new[] { max.Steps[0].Reasons.Single() }).And.Some.Contains("e2e p99 grew"));
        Assert.That(max.Steps[0].SecondHalfP99Ms, Is.GreaterThan(550));
        Assert.That(max.MaxRate, Is.EqualTo(100));
        Assert.That(max.Drain, Is.Null, "no step overloaded the consumer");
    }

    [Test]
    public async Task E2e_max_without_confirm_takes_a_pause_for_an_overload()
    {
        await using var intake = await new FakeIntake { PausedSubmissions = 300..330, PauseFor = TimeSpan.FromMilliseconds(600) }.StartAsync();

        var (exit, output) = await RunAsync("e2e-max", "--rates", "100", "--step", "4", "--settle", "5", "--confirm", "0",
            "--warmup", "0", "--grace", "30", "--api", intake.Url, "--key", FakeIntake.Key);

        Assert.That(exit, Is.EqualTo(1), output);
        var max = (await ResultAsync("e2e-max")).EndToEndMax!;
        Assert.That(max.Steps.Select(s => (s.Phase, s.Bounded)), Is.EqualTo(new[] { ("search", false) }), output);
        Assert.That(max.MaxRate, Is.Null);
    }

    [Test]
    public async Task E2e_max_bisects_between_the_highest_bounded_and_the_first_unbounded_rate()
    {
        await using var intake = await new FakeIntake { CallbackRate = 100 }.StartAsync();

        var (exit, output) = await RunAsync("e2e-max", "--rates", "20,260", "--bisect", "1", "--step", "3", "--settle", "5", "--drain-timeout", "60",
            "--warmup", "0", "--grace", "30", "--api", intake.Url, "--key", FakeIntake.Key);

        Assert.That(exit, Is.Zero, output);
        var max = (await ResultAsync("e2e-max")).EndToEndMax!;
        Assert.That(max.Steps.Select(s => (s.Phase, s.Rate)), Is.EqualTo(new[] { ("search", 20d), ("search", 260d), ("bisect", 140d) }), output);
        Assert.That(max.Steps[2].Bounded, Is.False, "140 req/s is above the consumer's 100");
        Assert.That(max.MaxRate, Is.EqualTo(20));
    }

    [Test]
    public async Task E2e_max_fails_when_no_step_is_bounded()
    {
        await using var intake = await new FakeIntake { CallbackRate = 10 }.StartAsync();

        var (exit, output) = await RunAsync("e2e-max", "--rates", "100", "--step", "2", "--settle", "1", "--drain-timeout", "60",
            "--warmup", "0", "--grace", "30", "--api", intake.Url, "--key", FakeIntake.Key);

        Assert.That(exit, Is.EqualTo(1), output);
        Assert.That((await ResultAsync("e2e-max")).Problems, Does.Contain("no step was bounded"));
    }

    [Test]
    public async Task Max_reports_the_naive_endpoint_s_maximum_beside_ours_with_cpu_per_request()
    {
        await using var vhost = await RabbitVirtualHost.CreateAsync();
        await using var intake = await new FakeIntake().StartAsync();
        // Both "processes" are this one here: the point is that each step records them and the ratio is computed.
        var pid = Environment.ProcessId;

        var (exit, output) = await RunAsync("max", "--smoke", "--duration", "1", "--warmup", "0", "--rabbit", vhost.Url,
            "--api", intake.Url, "--key", FakeIntake.Key, "--cpu", $"api={pid},naive={pid}");

        Assert.That(exit, Is.Zero, output);
        var result = await ResultAsync("max");
        Assert.That(result.Runs.Select(r => r.Name), Is.EqualTo(new[] { "naive-closed-loop-2", "closed-loop-2", "naive-closed-loop-8", "closed-loop-8" }));
        Assert.That(result.NaiveMax, Is.Not.Null);
        Assert.That(result.Max!.Rate, Is.EqualTo(result.Runs.Where(r => !r.Name.StartsWith("naive", StringComparison.Ordinal)).Max(r => r.Throughput)));
        Assert.That(result.Runs.Select(r => r.CpuMsPerRequest!.Keys.Order()), Has.All.EqualTo(new[] { "api", "naive" }));
        Assert.That(result.Problems, Is.Empty, "every naive 200 was confirmed into the queue");
        Assert.That(output, Does.Contain("Naive confirm-per-request endpoint, same run").And.Contain("CPU per request over all steps"));
    }
}
