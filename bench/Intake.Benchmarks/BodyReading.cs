using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using ExternalAction.Api.Intake;
using ExternalAction.Contracts.Json;
using ExternalAction.Contracts.Platform;
using ExternalAction.TestSupport;
using Microsoft.AspNetCore.WebUtilities;

namespace ExternalAction.Intake.Benchmarks;

/// <summary>
/// One valid submitAsyncAction body (the contract's lead sample, leadData padded to the size) read from a stream into an
/// <see cref="ExecutionRequest"/> three ways: the Api's pooled reader and one synchronous Deserialize over the bytes
/// (what intake does); the framework's DeserializeAsync over the stream; and DeserializeAsync over the stream behind
/// ASP.NET Core's request buffering, which intake would need to keep naming the repeated property of a duplicate
/// key inside a JsonObject (System.Text.Json reports that as an ArgumentException without a path). The body-size
/// limit of the framework's way is Kestrel's (it counts bytes in the body stream, as for both ways); the pooled reader
/// checks its own. Chunk is the most a read returns (0 = all it asks for; 4096 = roughly what a socket read gives).
/// </summary>
[MemoryDiagnoser]
public class BodyReading
{
    private const int Limit = 256 * 1024;
    private byte[] _body = [];

    [Params(2 * 1024, 64 * 1024)]
    public int Size { get; set; }

    [Params(0, 4096)]
    public int Chunk { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var lead = SampleRequests.Lead();
        var data = lead["objectData"]!["objectContext"]!["leadData"]!.AsObject();
        var length = Encoding.UTF8.GetByteCount(lead.ToJsonString());
        for (var i = 0; length < Size; i++)
        {
            var value = $"value {i} of a padded lead attribute";
            data[$"attribute{i}"] = value;
            length += value.Length + 20;
        }
        _body = Encoding.UTF8.GetBytes(lead.ToJsonString());
        if (Parse() is null || DeserializeAsync().GetAwaiter().GetResult() is null)
            throw new InvalidOperationException("The sample body does not read.");
    }

    private ExecutionRequest? Parse() => JsonSerializer.Deserialize<ExecutionRequest>(_body, ContractJson.Options);

    private Stream Body() => Chunk == 0 ? new MemoryStream(_body, writable: false) : new ChunkedStream(_body, Chunk);

    [Benchmark(Baseline = true, Description = "pooled reader + Deserialize")]
    public async Task<ExecutionRequest?> Pooled()
    {
        await using var stream = Body();
        using var body = (await PooledBody.ReadAsync(stream, _body.Length, Limit, CancellationToken.None))!.Value;
        return JsonSerializer.Deserialize<ExecutionRequest>(body.Span, ContractJson.Options);
    }

    [Benchmark(Description = "DeserializeAsync(stream)")]
    public async Task<ExecutionRequest?> DeserializeAsync()
    {
        await using var stream = Body();
        return await JsonSerializer.DeserializeAsync<ExecutionRequest>(stream, ContractJson.Options);
    }

    [Benchmark(Description = "DeserializeAsync(buffered stream)")]
    public async Task<ExecutionRequest?> DeserializeBufferedAsync()
    {
        // What HttpRequest.EnableBuffering() wraps the body in (defaults: 30 KB in memory, then a temporary file).
        await using var stream = new FileBufferingReadStream(Body(), 30 * 1024, Limit, Path.GetTempPath());
        return await JsonSerializer.DeserializeAsync<ExecutionRequest>(stream, ContractJson.Options);
    }

    /// <summary>A read-only stream that returns at most <paramref name="chunk"/> bytes a read, like a socket.</summary>
    private sealed class ChunkedStream(byte[] data, int chunk) : Stream
    {
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = Math.Min(Math.Min(buffer.Length, chunk), data.Length - _position);
            data.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
