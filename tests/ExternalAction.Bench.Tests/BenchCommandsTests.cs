using System.Text.Json;
using ExternalAction.Bench.Cli;
using ExternalAction.Bench.Reporting;
using ExternalAction.Bench.Tests.Fakes;
using ExternalAction.TestSupport;

namespace ExternalAction.Bench.Tests;

/// <summary>
/// Short runs of each command, as CI runs them: the floor and the naive baseline against the real RabbitMQ, and the
/// commands that drive our intake against <see cref="FakeIntake"/> (the real system is measured by bench/run.sh).
/// </summary>
public sealed class BenchCommandsTests
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
    public async Task A_smoke_run_of_the_baseline_measures_the_floor_and_the_naive_endpoint_against_RabbitMQ()
    {
        await using var vhost = await RabbitVirtualHost.CreateAsync();

        var (exit, output) = await RunAsync("baseline", "--smoke", "--rabbit", vhost.Url);

        Assert.That(exit, Is.Zero, output);
        var result = await ResultAsync("baseline");
        Assert.That(result.Runs.Select(r => r.Name), Is.EqualTo(new[] { "floor@50", "naive@50" }));
        Assert.That(result.Runs.Select(r => r.ByStatus.GetValueOrDefault("200")), Has.All.EqualTo(100), "50 req/s for 2 s, every one answered 200");
        Assert.That(result.Problems, Is.Empty, "every naive 200 was confirmed into the queue");
        Assert.That(result.Options["rabbit"], Is.EqualTo("***"));
        Assert.That(File.ReadAllText(Path.Combine(_out, "baseline.md")), Does.Contain("| naive@50 | 50 |"));
        Assert.That(File.ReadAllText(Path.Combine(_out, "baseline.svg")), Does.StartWith("<svg"));
    }

    [Test]
    public async Task All_measures_our_intake_beside_the_baseline_and_gives_the_ratios()
    {
        await using var vhost = await RabbitVirtualHost.CreateAsync();
        await using var intake = await new FakeIntake().StartAsync();

        var (exit, output) = await RunAsync("all", "--smoke", "--duration", "1", "--warmup", "0.2", "--rabbit", vhost.Url, "--api", intake.Url, "--key", FakeIntake.Key);

        Assert.That(exit, Is.Zero, output);
        var result = await ResultAsync("all");
        Assert.That(result.Runs.Select(r => r.Name), Is.EqualTo(new[] { "floor@50", "naive@50", "intake@50" }));
        Assert.That(result.Ratios, Has.Count.EqualTo(1));
        Assert.That(result.Ratios![0].ThroughputVsNaive, Is.EqualTo(1).Within(0.2));
        Assert.That(result.Options["key"], Is.EqualTo("***"));
    }

    [Test]
    public async Task All_in_rounds_with_the_shared_and_the_shaped_naive_publishes_checks_every_200_against_the_naive_queue()
    {
        await using var vhost = await RabbitVirtualHost.CreateAsync();
        await using var intake = await new FakeIntake().StartAsync();

        var (exit, output) = await RunAsync("all", "--smoke", "--duration", "1", "--warmup", "0", "--rounds", "2", "--naive-shared", "--naive-shaped",
            "--rabbit", vhost.Url, "--api", intake.Url, "--key", FakeIntake.Key);

        Assert.That(exit, Is.Zero, output);
        var result = await ResultAsync("all");
        Assert.That(result.Runs.Select(r => r.Name), Is.EqualTo(new[] { "floor@50", "naive@50", "naive-shared@50", "naive-sized@50", "naive-shaped@50", "intake@50" }));
        Assert.That(result.Runs.Select(r => (r.Sent, r.Errors)), Is.All.EqualTo((100L, 0L)), "two windows of 50 each, all answered 200");
        var markdown = await File.ReadAllTextAsync(Path.Combine(_out, "all.md"));
        Assert.That(markdown, Does.Contain("Naive endpoint: 400 requests answered 200, 400 messages confirmed in its queue."),
            "every naive publish reaches the checked queue, the shaped one through its two exchanges");
    }

    [Test]
    public void A_shaped_naive_message_is_the_request_in_an_envelope_of_our_messages_size()
    {
        var request = System.Text.Encoding.UTF8.GetBytes("""{"token":"t","objectData":{"objectType":"lead"}}""");
        var shaped = Baseline.ReferenceEndpoints.Shaped(request);
        using var json = System.Text.Json.JsonDocument.Parse(shaped);
        Assert.Multiple(() =>
        {
            Assert.That(shaped, Has.Length.EqualTo(Baseline.ReferenceEndpoints.ShapedBytes));
            Assert.That(json.RootElement.GetProperty("message").GetRawText(), Is.EqualTo(System.Text.Encoding.UTF8.GetString(request)));
            Assert.That(Baseline.ReferenceEndpoints.Shaped(new byte[5000].Select(_ => (byte)' ').ToArray().Concat("1"u8.ToArray()).ToArray()),
                Has.Length.GreaterThan(5000), "a larger request is not cut");
        });
    }

    [Test]
    public async Task Sfmc_measures_signed_executes_beside_the_intake_and_the_baseline()
    {
        await using var vhost = await RabbitVirtualHost.CreateAsync();
        await using var intake = await new FakeIntake().StartAsync();

        var (exit, output) = await RunAsync("sfmc", "--smoke", "--duration", "1", "--warmup", "0.2", "--rabbit", vhost.Url, "--api", intake.Url,
            "--key", FakeIntake.Key, "--secret", "bench-sfmc-signing-secret-0123456789abcdef");

        Assert.That(exit, Is.Zero, output);
        var result = await ResultAsync("sfmc");
        Assert.That(result.Runs.Select(r => r.Name), Is.EqualTo(new[] { "floor@50", "naive@50", "intake@50", "sfmc@50", "sfmc-rules@50", "sfmc-lookup@50" }));
        Assert.That(result.Runs.Where(r => r.Name.StartsWith("sfmc", StringComparison.Ordinal)).Select(r => r.Errors), Is.All.Zero, "every execute was a signed JWT answered 200");
        Assert.That(result.Options["secret"], Is.EqualTo("***"));
    }

    [Test]
    public async Task Ajo_in_rounds_pools_each_targets_windows_and_counts_the_lookups_fallback_answers()
    {
        await using var vhost = await RabbitVirtualHost.CreateAsync();
        await using var intake = await new FakeIntake().StartAsync();

        var (exit, output) = await RunAsync("ajo", "--smoke", "--duration", "1", "--warmup", "0", "--rounds", "2", "--rabbit", vhost.Url,
            "--api", intake.Url, "--key", FakeIntake.Key);

        Assert.That(exit, Is.Zero, output);
        var result = await ResultAsync("ajo");
        Assert.That(result.Runs.Select(r => r.Name), Is.EqualTo(new[] { "floor@50", "naive@50", "intake@50", "ajo-rules@50", "ajo-lookup@50" }));
        Assert.That(result.Runs.Select(r => r.Sent), Is.All.EqualTo(100), "two windows of 50 requests each, pooled");
        Assert.That(result.Runs.Select(r => r.Errors), Is.All.Zero);
        var markdown = await File.ReadAllTextAsync(Path.Combine(_out, "ajo.md"));
        Assert.That(markdown, Does.Contain("| 50 of 100 |"), "every odd-numbered lookup call of the fake is a fallback answer");
        Assert.That(markdown, Does.Contain("| ajo-rules@50 | ").And.Contain("| intake@50 | "), "the per-round p99 table");
        Assert.That(markdown, Does.Match(@"\| 50 \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \((met|not met)\) \| [0-9.]+ \|"), "a median of the rounds' ratios");
        Assert.That(result.Options["key"], Is.EqualTo("***"));
    }

    [Test]
    public async Task Intake_reports_answers_by_status_and_fails_when_nothing_is_accepted()
    {
        await using var intake = await new FakeIntake().StartAsync();

        var (accepted, output) = await RunAsync("intake", "--smoke", "--duration", "1", "--warmup", "0", "--api", intake.Url, "--key", FakeIntake.Key);
        var (refused, _) = await RunAsync("intake", "--smoke", "--duration", "1", "--warmup", "0", "--api", intake.Url, "--key", "wrong", "--name", "refused");

        Assert.That(accepted, Is.Zero, output);
        Assert.That((await ResultAsync("intake")).Runs.Single().ByStatus, Is.EquivalentTo(new Dictionary<string, long> { ["200"] = 50 }));
        Assert.That(refused, Is.EqualTo(1));
        Assert.That((await ResultAsync("refused")).Runs.Single().ByStatus, Is.EquivalentTo(new Dictionary<string, long> { ["401"] = 50 }));
    }

    [Test]
    public async Task End_to_end_matches_every_callback_and_reads_each_state_from_the_support_api()
    {
        await using var intake = await new FakeIntake().StartAsync();

        var (exit, output) = await RunAsync("e2e", "--smoke", "--api", intake.Url, "--key", FakeIntake.Key, "--support-key", FakeIntake.SupportKey);

        Assert.That(exit, Is.Zero, output);
        var result = await ResultAsync("e2e");
        var accounting = result.Accounting!;
        Assert.That((accounting.Acknowledged, accounting.Settled, accounting.Lost, accounting.Duplicated), Is.EqualTo((40L, 40L, 0L, 0L)));
        Assert.That(accounting.StatusChecked, Is.True);
        Assert.That(accounting.States, Is.EquivalentTo(new Dictionary<string, long> { ["CallbackSent"] = 40 }));
        Assert.That(result.Runs.Single(r => r.Name == "end-to-end@20").Completed, Is.EqualTo(40));
        Assert.That(output, Does.Contain("lost=0 duplicated=0"));
    }

    [Test]
    public async Task Warm_up_requests_are_accounted_but_give_no_latency_sample()
    {
        await using var intake = await new FakeIntake().StartAsync();

        var (exit, output) = await RunAsync("e2e", "--smoke", "--warmup", "0.5", "--api", intake.Url, "--key", FakeIntake.Key);

        Assert.That(exit, Is.Zero, output);
        var result = await ResultAsync("e2e");
        Assert.That(result.Accounting!.Acknowledged, Is.EqualTo(50), "10 warm-up requests (20 req/s for 0.5 s) and 40 measured");
        Assert.That(result.Accounting.UnknownTokenCallbacks, Is.Zero);
        Assert.That(result.Runs.Single(r => r.Name == "end-to-end@20").Completed, Is.EqualTo(40));
    }

    [Test]
    public async Task End_to_end_counts_the_lost_and_the_duplicated_and_fails()
    {
        await using var intake = await new FakeIntake { LoseEvery = 10, DuplicateEvery = 7 }.StartAsync();

        var (exit, output) = await RunAsync("e2e", "--smoke", "--grace", "2", "--api", intake.Url, "--key", FakeIntake.Key, "--support-key", FakeIntake.SupportKey);

        Assert.That(exit, Is.EqualTo(1), output);
        var accounting = (await ResultAsync("e2e")).Accounting!;
        Assert.That(accounting.Lost, Is.EqualTo(4), "requests 10, 20, 30 and 40 were answered 200 and never called back");
        Assert.That(accounting.LostBy, Is.EquivalentTo(new Dictionary<string, long> { ["not final (Processing)"] = 4 }));
        Assert.That(accounting.Duplicated, Is.EqualTo(5), "requests 7, 14, 21, 28 and 35 were called back twice");
        Assert.That(File.ReadAllText(Path.Combine(_out, "e2e.md")), Does.Contain("**Accounting NOT clean**: 4 lost, 5 duplicated of 40 acknowledged."));
    }

    [Test]
    public async Task A_drill_may_allow_the_crash_window_s_duplicates_but_never_a_lost_request()
    {
        await using var intake = await new FakeIntake { DuplicateEvery = 7 }.StartAsync();

        var (exit, output) = await RunAsync("e2e", "--smoke", "--api", intake.Url, "--key", FakeIntake.Key, "--max-duplicates", "5");

        Assert.That(exit, Is.Zero, output);
        Assert.That((await ResultAsync("e2e")).Accounting!.Duplicated, Is.EqualTo(5));
        Assert.That(File.ReadAllText(Path.Combine(_out, "e2e.md")), Does.Contain("within the allowance of this drill (--max-duplicates 5"));
    }

    [Test]
    public async Task Max_steps_the_workers_and_names_the_best_sustainable_rate()
    {
        await using var intake = await new FakeIntake().StartAsync();

        var (exit, output) = await RunAsync("max", "--smoke", "--duration", "1", "--warmup", "0", "--api", intake.Url, "--key", FakeIntake.Key);

        Assert.That(exit, Is.Zero, output);
        var result = await ResultAsync("max");
        Assert.That(result.Runs.Select(r => r.Name), Is.EqualTo(new[] { "closed-loop-2", "closed-loop-8" }));
        Assert.That(result.Max!.Rate, Is.EqualTo(result.Runs.Max(r => r.Throughput)));
        Assert.That(output, Does.Contain("Maximum sustainable intake rate"));
    }

    [Test]
    public async Task Fuzz_passes_when_no_answer_is_5xx_and_fails_naming_the_mutation_otherwise()
    {
        await using (var tolerant = await new FakeIntake().StartAsync())
        {
            var (exit, output) = await RunAsync("fuzz", "--smoke", "--api", tolerant.Url, "--key", FakeIntake.Key, "--support-key", FakeIntake.SupportKey);
            Assert.That(exit, Is.Zero, output);
            var result = await ResultAsync("fuzz");
            Assert.That(result.Fuzz!.Values.Sum(), Is.EqualTo(200));
            Assert.That(result.Accounting!.Acknowledged, Is.GreaterThan(0), "the 200s were accounted for");
            Assert.That(result.Accounting.Lost, Is.Zero);
        }
        await using var fragile = await new FakeIntake { FailOn = "DROP TABLE" }.StartAsync();

        var (failed, failedOutput) = await RunAsync("fuzz", "--smoke", "--api", fragile.Url, "--key", FakeIntake.Key, "--name", "fragile");

        Assert.That(failed, Is.EqualTo(1), failedOutput);
        Assert.That(File.ReadAllText(Path.Combine(_out, "fragile.md")), Does.Contain("5xx from mutation \"strange characters\""));
    }

    [Test]
    public async Task Fuzz_fails_when_a_submission_answered_200_never_gets_its_outcome()
    {
        // The fake answers 200 and then loses every 7th submission (row left Processing, no callback): finding 19's loss.
        await using var lossy = await new FakeIntake { LoseEvery = 7 }.StartAsync();

        var (exit, output) = await RunAsync("fuzz", "--smoke", "--api", lossy.Url, "--key", FakeIntake.Key, "--support-key", FakeIntake.SupportKey,
            "--grace", "1", "--name", "lossy");

        Assert.That(exit, Is.EqualTo(1), output);
        var result = await ResultAsync("lossy");
        Assert.That(result.Accounting!.Lost, Is.GreaterThan(0));
        Assert.That(result.Accounting.LostBy.Keys, Is.EquivalentTo(new[] { "not final (Processing)" }));
        Assert.That(result.Problems, Has.Some.StartsWith($"{result.Accounting.Lost} lost"));
        Assert.That(File.ReadAllText(Path.Combine(_out, "lossy.md")), Does.Contain("**Fuzz drill FAILED**").And.Contain("200 for mutation \"unknown fields\""));
    }

    [Test]
    public async Task Report_writes_the_latest_run_into_the_document_and_copies_the_plots()
    {
        var machine = MachineInfo.Current();
        var run = new LatencyReport("end-to-end@500", 500, 20, 10, 10, 500, 5, 6, 7, 8, 9, new Dictionary<string, long> { ["callbacks"] = 10 });
        await File.WriteAllTextAsync(Path.Combine(_out, "e2e.json"), JsonSerializer.Serialize(
            new BenchResult("e2e", DateTimeOffset.UtcNow, machine, new Dictionary<string, string>(), [run]), ResultFiles.Json));
        await File.WriteAllTextAsync(Path.Combine(_out, "e2e.svg"), "<svg/>");
        await File.WriteAllTextAsync(Path.Combine(_out, "commands.txt"), "bash bench/run.sh\n");
        var doc = Path.Combine(_out, "docs", "benchmarks.md");
        Directory.CreateDirectory(Path.GetDirectoryName(doc)!);
        await File.WriteAllTextAsync(doc, $"# Benchmarks\n\n{BenchmarkDoc.Start}\nold\n{BenchmarkDoc.End}\n\n## Analysis\n");

        var (exit, output) = await RunAsync("report", "--results", _out, "--doc", doc, "--commit", "abc123");

        Assert.That(exit, Is.Zero, output);
        var text = await File.ReadAllTextAsync(doc);
        Assert.That(text, Does.Contain("at commit `abc123`").And.Contain("| end-to-end p99 ≤ 50 ms at 500 req/s | 7.00 ms | met |"));
        Assert.That(text, Does.Not.Contain("old"));
        Assert.That(text, Does.EndWith("## Analysis\n"));
        Assert.That(File.Exists(Path.Combine(_out, "docs", "bench", "e2e-latency.svg")), Is.True);
    }

    [Test]
    public async Task Bad_usage_exits_2_with_the_usage()
    {
        var (unknown, output) = await RunAsync("frobnicate");
        var (missing, _) = await RunAsync("intake", "--key", "k");

        Assert.That(unknown, Is.EqualTo(2));
        Assert.That(output, Does.Contain("Unknown command 'frobnicate'").And.Contain("ExternalAction.Bench <command>"));
        Assert.That(missing, Is.EqualTo(2), "--api or --url is required");
    }
}
