using ExternalAction.Bench.Cli;

// Benchmark and drill driver for ExternalAction: see `ExternalAction.Bench help`, bench/run.sh and docs/benchmarks.md.
return await BenchCommands.RunAsync(args, Console.Out, Console.Error);
