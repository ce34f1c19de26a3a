using System.Text.Json;
using ExternalAction.Bench.Cli;
using ExternalAction.Bench.EndToEnd;
using ExternalAction.Bench.Reporting;
using ExternalAction.Bench.Tests.Fakes;

namespace ExternalAction.Bench.Tests;

/// <summary>The tiered JIT worker's CPU read from /proc, and <c>warm</c>, which sends until it is quiet.</summary>
public sealed class WarmTests
{
    private string _dir = "";

    [SetUp]
    public void CreateFolder() => _dir = Directory.CreateTempSubdirectory("bench-warm-").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_dir, recursive: true);

    private void Thread(int pid, int tid, string name, long user, long system)
    {
        var task = Directory.CreateDirectory(Path.Combine(_dir, "proc", pid.ToString(), "task", tid.ToString())).FullName;
        File.WriteAllText(Path.Combine(task, "comm"), name + "\n");
        File.WriteAllText(Path.Combine(task, "stat"),
            $"{tid} ({name}) S 1 {pid} {pid} 0 -1 4194368 13 0 0 0 {user} {system} 0 0 20 0 40 0 1234 0 0 18446744073709551615\n");
    }

    [Test]
    public void Cpu_ticks_are_counted_from_the_last_parenthesis_of_a_name_with_spaces_and_parentheses()
    {
        Assert.That(TieredJit.CpuTicks("7 (.NET Tiered Com) S 1 2 3 0 -1 0 0 0 0 0 250 30 0 0"), Is.EqualTo(280));
        Assert.That(TieredJit.CpuTicks("7 (a) b) (c) R 1 2 3 0 -1 0 0 0 0 0 4 5 0 0"), Is.EqualTo(9));
        Assert.That(TieredJit.CpuTicks("7 (cut"), Is.Null);
        Assert.That(TieredJit.CpuTicks("7 (x) S 1 2"), Is.Null);
    }

    [Test]
    public void Only_the_tiered_compilation_workers_count_and_each_call_gives_the_time_since_the_previous()
    {
        Thread(100, 101, ".NET Tiered Com", 300, 50);
        Thread(100, 102, ".NET TP Worker", 9000, 900);
        var jit = new TieredJit(100, Path.Combine(_dir, "proc"));

        Assert.That(jit.Alive, Is.True);
        Assert.That(jit.Since(), Is.EqualTo(TimeSpan.FromSeconds(3.5)), "the first call: since the worker started");

        Thread(100, 101, ".NET Tiered Com", 320, 55);
        Thread(100, 102, ".NET TP Worker", 20000, 900);
        Assert.That(jit.Since(), Is.EqualTo(TimeSpan.FromSeconds(0.25)), "25 ticks of the worker; the thread pool is not the JIT");

        // The idle worker ended and the runtime started another: the new one counts from zero, the old one no longer.
        Directory.Delete(Path.Combine(_dir, "proc", "100", "task", "101"), recursive: true);
        Thread(100, 103, ".NET Tiered Com", 40, 2);
        Assert.That(jit.Since(), Is.EqualTo(TimeSpan.FromSeconds(0.42)));
        Assert.That(jit.Since(), Is.EqualTo(TimeSpan.Zero));

        Assert.That(new TieredJit(999, Path.Combine(_dir, "proc")).Alive, Is.False);
    }

    [Test]
    public void A_live_process_s_worker_is_found_in_proc()
    {
        if (!OperatingSystem.IsLinux())
            Assert.Ignore("/proc is Linux's.");
        // This test host jits (it runs freshly loaded test code), so its worker exists and has used some CPU.
        var jit = new TieredJit(Environment.ProcessId);
        Assert.That(jit.Alive, Is.True);
        Assert.That(jit.Ticks(), Is.Not.Empty, "a .NET process has a tiered compilation worker once it has re-compiled a method");
    }

    private static async Task<(int Exit, string Output, WarmCommand.WarmReport Report)> WarmAsync(string folder, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await BenchCommands.RunAsync(["warm", .. args, "--out", folder, "--sink-port", "0"], output, error);
        var json = Path.Combine(folder, "warm.json");
        Assert.That(File.Exists(json), Is.True, output + error.ToString());
        var report = JsonSerializer.Deserialize<WarmCommand.WarmReport>(await File.ReadAllTextAsync(json), ResultFiles.Json)!;
        return (exit, output + error.ToString(), report);
    }

    [Test]
    public async Task Warm_stops_after_the_quiet_windows_and_waits_for_every_callback()
    {
        await using var intake = await new FakeIntake().StartAsync();
        // A thread cannot use more than 1,000 ms of CPU per second: with that threshold every window is quiet.
        var (exit, output, report) = await WarmAsync(_dir, "--api", intake.Url, "--key", FakeIntake.Key, "--jit", $"tool={Environment.ProcessId}",
            "--rate", "40", "--window", "1", "--quiet-ms", "1000", "--quiet-windows", "2", "--max", "30");

        Assert.That(exit, Is.Zero, output);
        Assert.That(report.Quiet, Is.True);
        Assert.That(report.Windows, Has.Count.EqualTo(2), "stops at the second quiet window in a row");
        Assert.That(report.Sent, Is.EqualTo(report.Windows.Sum(w => w.Sent)).And.GreaterThan(40));
        Assert.That(report.Acknowledged, Is.EqualTo(report.Sent));
        Assert.That(report.CalledBack, Is.EqualTo(report.Sent), "every warm-up request was called back before it ended");
        Assert.That(report.Awaiting, Is.Zero);
        Assert.That(report.Windows.All(w => w.JitMsPerSecond.ContainsKey("tool")), Is.True);
        Assert.That(File.ReadAllText(Path.Combine(_dir, "warm.md")), Does.Contain("the tiered JIT was quiet").And.Contain("| tool JIT ms/s |"));
    }

    [Test]
    public async Task Warm_gives_up_at_its_limit_and_says_the_JIT_was_not_quiet()
    {
        await using var intake = await new FakeIntake().StartAsync();
        // Nothing is under 0 ms per second, so no window is quiet: it sends until --max and fails.
        var (exit, output, report) = await WarmAsync(_dir, "--api", intake.Url, "--key", FakeIntake.Key, "--jit", $"tool={Environment.ProcessId}",
            "--rate", "20", "--window", "1", "--quiet-ms", "0", "--max", "3");

        Assert.That(exit, Is.EqualTo(1), output);
        Assert.That(report.Quiet, Is.False);
        Assert.That(report.Windows, Has.Count.InRange(3, 4));
        Assert.That(report.Awaiting, Is.Zero);
        Assert.That(File.ReadAllText(Path.Combine(_dir, "warm.md")), Does.Contain("was **not** quiet"));
    }

    [Test]
    public async Task Warm_refuses_a_process_that_does_not_exist()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await BenchCommands.RunAsync(["warm", "--api", "http://127.0.0.1:1", "--key", "k", "--jit", "api=2147483646", "--out", _dir], output, error);
        Assert.That(exit, Is.EqualTo(2), output + error.ToString());
        Assert.That(error.ToString() + output, Does.Contain("api=2147483646: no such process"));
    }
}
