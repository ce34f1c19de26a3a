using ExternalAction.Bench.Baseline;
using ExternalAction.Bench.EndToEnd;
using ExternalAction.Bench.Fuzz;
using ExternalAction.Bench.Intake;
using ExternalAction.Bench.Reporting;

namespace ExternalAction.Bench.Cli;

/// <summary>The command line: the first argument names the command, the rest are its options.</summary>
internal static class BenchCommands
{
    public const string Usage = """
        ExternalAction.Bench <command> [--options]     (every command: --out DIR (bench/results), --smoke)

          intake    --api BASE | --url URL  --key KEY  [--rate 1000] [--duration 10] [--warmup 15] [--entity mixed]
                    open loop at a fixed rate; latency from each request's intended send time.
          max       --api BASE | --url URL  --key KEY  [--rabbit AMQP | --naive URL | --no-naive] [--workers 8,32,128] [--duration 10]
                    [--warmup 15] [--max-p99-ms 0] [--cpu api=PID,naive=PID]
                    closed loop, growing worker counts: the maximum sustainable intake rate, beside the naive
                    confirm-per-request endpoint's (hosted here, or --naive URL: a naive-endpoint process).
          e2e       --api BASE | --url URL  --key KEY  [--rate 500] [--duration 20] [--warmup 15] [--grace 60]
                    [--pg CONNSTR | --support-key KEY] [--sink-port 5099] [--max-duplicates 0]
                    [--callback-fail-seconds 0] [--channel-429-every 0]
                    request sent → callback received, and the outcome accounting (lost and duplicated must be 0).
          e2e-max   --api BASE | --url URL  --key KEY  [--rates 50,100,200 | --start 50 --factor 1.5 --max-rate 5000]
                    [--step 10] [--bisect 2] [--confirm 1] [--settle 10] [--drain-timeout 120] [--max-growth 0.05]
                    [--max-backlog-seconds 1] [--warmup 15] [--grace 120] [--pg CONNSTR | --support-key KEY]
                    [--cpu api=PID,processor=PID]
                    stepped open-loop rates: the highest at which the end-to-end backlog stays bounded, then the
                    backlog's drain rate after the first overloaded step (docs/benchmarks.md, "e2e-max").
          warm      --api BASE | --url URL  --key KEY  --jit api=PID,processor=PID  [--rate 100] [--window 5] [--quiet-ms 10]
                    [--quiet-windows 2] [--max 300] [--grace 60] [--sink-port 5099]
                    end-to-end load until every listed process's tiered JIT worker uses under quiet-ms of CPU per
                    second for quiet-windows windows in a row (the steady state), then its callbacks; warm.json|.md.
          baseline  [--rabbit AMQP] [--rates 200,500,1000] [--duration 10] [--warmup 15]
                    the floor ("return 200") and the naive confirm-per-request endpoint, started here.
          all       --api BASE | --url URL  --key KEY  [--rabbit AMQP] [--rates 200,500,1000] [--duration 10] [--warmup 15] [--rounds 1]
                    [--naive-shared] [--naive-shaped]  floor, naive baseline and our intake at the same rates; ratios to the
                    baseline; --naive-shared adds the naive publish on one shared channel (as MassTransit publishes),
                    --naive-shaped adds it with our message's size and headers, straight to the queue (naive-sized) and
                    through two exchange hops as MassTransit routes it (naive-shaped).
          ajo       --api BASE  --key KEY  [--rabbit AMQP] [--rates 200,500] [--duration 10] [--warmup 15] [--rounds 1]
                    floor, naive baseline, our B2B intake and the AJO custom-action face (rules: bench-ajo-rules;
                    a 50 ms lookup: bench-ajo-lookup) at the same rates; AJO p99 as ratios to the intake's.
          sfmc      --api BASE  --key KEY  --secret JWT_SECRET  [--rabbit AMQP] [--rates 200,500] [--duration 10] [--decide-ms 50] [--rounds 1]
                    floor, naive baseline, our B2B intake and Journey Builder executes (plain, rules split, 50 ms
                    lookup split) at the same rates; each SFMC p99 over the intake's.
          fuzz      --api BASE | --url URL  --key KEY  [--count 10000] [--seed 1] [--grace 60] [--sink-port 5099]
                    [--pg CONNSTR | --support-key KEY] [--rabbit AMQP] [--error-queues externalaction-process_error,…]
                    malformed bodies and headers; fails on any 5xx, an unhealthy service afterwards, a 200 without
                    an outcome (accounting as e2e), or an _error queue message without a status row.
          naive-consumer  [--rabbit AMQP] [--queue externalaction-process] [--channel URL|none] [--channel-actions bench-lead|*]
                    [--prefetch 64] [--concurrency 32] [--callback-hosts 127.0.0.1,localhost] [--port 0] [--duration S]
                    stands in for the Processor: consume, POST the channel, POST the callback; no database. Until SIGTERM.
          naive-endpoint  [--rabbit AMQP] [--port 0] [--duration S]
                    the floor and naive endpoints as a process of their own (its CPU per request from /proc). Until SIGTERM.
          report    [--results DIR] [--doc docs/benchmarks.md] [--assets docs/bench] [--commit SHA] [--versions TEXT]
                    writes the latest-run section of the benchmark document from all/e2e/max results.

        Exit code: 0 when the run met its own checks, 1 when it did not (lost, duplicated, 5xx…), 2 on bad usage.
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        if (args.Length == 0 || args[0] is "help" or "--help" or "-h")
        {
            await output.WriteLineAsync(Usage);
            return args.Length == 0 ? 2 : 0;
        }
        try
        {
            using var context = new BenchContext(Options.Parse(args.Skip(1)), output, error);
            return args[0] switch
            {
                "intake" => await IntakeCommand.RunAsync(context),
                "max" => await MaxCommand.RunAsync(context),
                "e2e" => await EndToEndCommand.RunAsync(context),
                "e2e-max" => await EndToEndMaxCommand.RunAsync(context),
                "warm" => await WarmCommand.RunAsync(context),
                "naive-consumer" => await StandaloneCommands.NaiveConsumerAsync(context),
                "naive-endpoint" => await StandaloneCommands.NaiveEndpointAsync(context),
                "baseline" => await ComparisonCommand.BaselineAsync(context),
                "all" => await ComparisonCommand.AllAsync(context),
                "ajo" => await Ajo.AjoCommand.RunAsync(context),
                "sfmc" => await Sfmc.SfmcCommand.RunAsync(context),
                "fuzz" => await FuzzCommand.RunAsync(context),
                "report" => await ReportCommand.RunAsync(context),
                _ => throw new ArgumentException($"Unknown command '{args[0]}'."),
            };
        }
        catch (ArgumentException e)
        {
            await error.WriteLineAsync(e.Message);
            await error.WriteLineAsync(Usage);
            return 2;
        }
    }
}
