namespace ExternalAction.Processor.Processing;

/// <summary>Exponential backoff with jitter, or the server's <c>Retry-After</c> when it gave one.</summary>
public static class RetryDelay
{
    public static TimeSpan Next(int attempt, TimeSpan? retryAfter, ProcessorOptions options)
    {
        if (retryAfter is { } wait && wait > TimeSpan.Zero)
            return wait + TimeSpan.FromMilliseconds(Random.Shared.Next(0, 250));
        var exponent = Math.Min(Math.Max(attempt - 1, 0), 30);
        var seconds = Math.Min(options.RetryBaseSeconds * Math.Pow(2, exponent), options.RetryMaxSeconds);
        var jitter = 0.8 + (Random.Shared.NextDouble() * 0.4);
        return TimeSpan.FromSeconds(seconds * jitter);
    }
}
