using ExternalAction.Bench.EndToEnd;

namespace ExternalAction.Bench.Reporting;

/// <summary>Our intake against the yardsticks at one offered rate (the <c>all</c> command).</summary>
internal sealed record IntakeRatio(double Rate, double ThroughputVsNaive, double P99VsNaive, double P99VsFloor);

/// <summary>The closed-loop search: the highest throughput among the steps that had no failed request.</summary>
internal sealed record MaxSustainable(double Rate, int Workers, double P99Ms);

/// <summary>Everything one command measured; written as <c>{name}.json</c> and read back by <c>report</c>.</summary>
internal sealed record BenchResult(string Command, DateTimeOffset StartedAt, MachineInfo Machine, IReadOnlyDictionary<string, string> Options, IReadOnlyList<LatencyReport> Runs)
{
    public IReadOnlyList<IntakeRatio>? Ratios { get; init; }
    public MaxSustainable? Max { get; init; }

    /// <summary><c>max</c> with the naive endpoint: its closed-loop maximum in the same run.</summary>
    public MaxSustainable? NaiveMax { get; init; }

    /// <summary><c>e2e-max</c>: the stepped search, the maximum bounded rate and the drain after overload.</summary>
    public EndToEndMax? EndToEndMax { get; init; }
    public OutcomeSummary? Accounting { get; init; }
    public IReadOnlyDictionary<string, long>? Fuzz { get; init; }

    /// <summary>Set when the command judged its own run (accounting, fuzzing): what went wrong, empty when nothing did.</summary>
    public IReadOnlyList<string> Problems { get; init; } = [];
}
