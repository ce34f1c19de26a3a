using System.Text.Json;
using BenchmarkDotNet.Attributes;
using ExternalAction.Contracts.Json;
using ExternalAction.Contracts.Messaging;
using ExternalAction.Contracts.Platform;
using ExternalAction.Processor.Processing;
using ExternalAction.TestSupport;

namespace ExternalAction.Intake.Benchmarks;

/// <summary>
/// What the Api's row writer (src/Api/Intake/ReceivedRowWriter.cs) does per accepted B2B request before the insert, and
/// what the Processor repeats for its claim: the status row from the work item (<see cref="RequestRows.From"/>), and its
/// two serializations apart, the payload as support sees it and the content hash. The contract's lead sample.
/// </summary>
[MemoryDiagnoser]
public class RowBuilding
{
    private ActionAccepted _message = null!;

    [GlobalSetup]
    public void Setup() => _message = new ActionAccepted
    {
        RequestId = "req-bench",
        ActionName = "lead-scoring",
        ActionVersion = "1",
        ReceivedAt = DateTimeOffset.UtcNow,
        Deadline = DateTimeOffset.UtcNow.AddHours(1),
        Request = SampleRequests.Lead().Deserialize<ExecutionRequest>(ContractJson.Options)!,
    };

    [Benchmark(Baseline = true)]
    public object Row() => RequestRows.From(_message);

    [Benchmark]
    public string MaskedPayload() => RequestRows.MaskedPayload(_message.B2B);

    [Benchmark]
    public string Hash() => RequestRows.Hash(_message);
}
