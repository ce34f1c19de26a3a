using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Intake.Benchmarks -- --filter '*' [--job short]
BenchmarkSwitcher.FromAssembly(typeof(ExternalAction.Intake.Benchmarks.BodyReading).Assembly).Run(args);
