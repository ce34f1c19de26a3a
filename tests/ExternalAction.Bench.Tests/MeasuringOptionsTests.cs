using ExternalAction.Bench.Baseline;
using ExternalAction.Bench.Cli;
using ExternalAction.Bench.Reporting;

namespace ExternalAction.Bench.Tests;

/// <summary>The options of the naive consumer and of <c>--cpu</c>.</summary>
public sealed class MeasuringOptionsTests
{
    [Test]
    public void Cpu_takes_named_process_ids()
    {
        var cpu = ProcessCpu.Parse("api=123, naive=456");

        Assert.That(cpu.Pids, Is.EqualTo(new Dictionary<string, int> { ["api"] = 123, ["naive"] = 456 }));
        Assert.That(ProcessCpu.Parse(null).Any, Is.False);
    }

    [TestCase("api")]
    [TestCase("api=")]
    [TestCase("api=-1")]
    [TestCase("api=12x")]
    [TestCase("a;b=1")]
    public void Cpu_refuses_anything_but_name_equals_pid(string value)
    {
        Assert.That(() => ProcessCpu.Parse(value), Throws.ArgumentException.With.Message.Contains("--cpu"));
    }

    [Test]
    public void Cpu_per_request_is_the_difference_over_the_requests_and_skips_processes_gone_since()
    {
        var before = new Dictionary<string, TimeSpan> { ["api"] = TimeSpan.FromMilliseconds(100), ["gone"] = TimeSpan.FromMilliseconds(5) };
        var after = new Dictionary<string, TimeSpan> { ["api"] = TimeSpan.FromMilliseconds(350) };

        Assert.That(ProcessCpu.PerRequest(before, after, 100), Is.EqualTo(new Dictionary<string, double> { ["api"] = 2.5 }));
        Assert.That(ProcessCpu.PerRequest(before, after, 0), Is.Null);
    }

    [Test]
    public void Sampling_this_process_gives_its_cpu_time()
    {
        var cpu = ProcessCpu.Parse($"self={Environment.ProcessId},none=2147483646");

        var sample = cpu.Sample();

        Assert.That(sample.Keys, Is.EqualTo(new[] { "self" }), "a process that does not exist is left out");
        Assert.That(sample["self"], Is.GreaterThan(TimeSpan.Zero));
    }

    [Test]
    public void The_naive_consumer_defaults_to_the_processor_s_queue_and_limits()
    {
        var settings = StandaloneCommands.ConsumerSettings(Options.Parse([]));

        Assert.That(settings.Queue, Is.EqualTo("externalaction-process"));
        Assert.That((settings.Prefetch, settings.Concurrency), Is.EqualTo(((ushort)64, (ushort)32)));
        Assert.That(settings.ChannelUrl, Is.EqualTo("http://127.0.0.1:5099/channel"));
        Assert.That(settings.ChannelActions, Is.EquivalentTo(new[] { "bench-lead" }));
        Assert.That(settings.CallbackHosts, Is.EquivalentTo(new[] { "127.0.0.1", "localhost" }));
    }

    [Test]
    public void The_naive_consumer_s_options_are_read_and_checked()
    {
        var settings = StandaloneCommands.ConsumerSettings(Options.Parse(["--sink-port", "6000", "--channel-actions", "*", "--prefetch", "8", "--concurrency", "4", "--queue", "q1"]));

        Assert.That(settings.ChannelUrl, Is.EqualTo("http://127.0.0.1:6000/channel"));
        Assert.That(settings.ChannelActions, Is.Empty, "* = every action");
        Assert.That((settings.Prefetch, settings.Concurrency, settings.Queue), Is.EqualTo(((ushort)8, (ushort)4, "q1")));
        Assert.That(StandaloneCommands.ConsumerSettings(Options.Parse(["--channel", "none"])).ChannelUrl, Is.Null);
        Assert.That(() => StandaloneCommands.ConsumerSettings(Options.Parse(["--prefetch", "0"])), Throws.ArgumentException.With.Message.Contains("--prefetch"));
        Assert.That(() => StandaloneCommands.ConsumerSettings(Options.Parse(["--channel", "file:///etc/passwd"])), Throws.ArgumentException.With.Message.Contains("--channel"));
    }
}
