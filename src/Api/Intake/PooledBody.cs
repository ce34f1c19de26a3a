using System.Buffers;

namespace ExternalAction.Api.Intake;

/// <summary>
/// A request body read whole into a buffer rented from <see cref="ArrayPool{T}.Shared"/>, up to a limit. Intake parses
/// it with one synchronous <c>JsonSerializer.Deserialize</c> over the bytes and, when that fails, scans the same bytes
/// for the path of a repeated property or the depth of the nesting. Measured against the framework's
/// <c>DeserializeAsync(request.Body)</c> in docs/benchmarks.md ("Intake body reading"). Dispose returns the buffer.
/// </summary>
public readonly struct PooledBody : IDisposable
{
    private readonly byte[] _buffer;
    private readonly int _length;

    private PooledBody(byte[] buffer, int length)
    {
        _buffer = buffer;
        _length = length;
    }

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, _length);

    public void Dispose() => ArrayPool<byte>.Shared.Return(_buffer);

    /// <summary>Reads <paramref name="body"/> to its end, or returns null as soon as it holds more than <paramref name="limit"/> bytes.</summary>
    public static async Task<PooledBody?> ReadAsync(Stream body, long? contentLength, int limit, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(contentLength is > 0 and var l ? (int)Math.Min(l + 1, limit + 1) : 16 * 1024);
        var length = 0;
        try
        {
            while (length <= limit)
            {
                if (length == buffer.Length)
                {
                    var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, limit + 1));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }
                var read = await body.ReadAsync(buffer.AsMemory(length), ct);
                if (read == 0)
                    return new PooledBody(buffer, length);
                length += read;
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
        ArrayPool<byte>.Shared.Return(buffer);
        return null;
    }
}
