namespace ExternalAction.Processor.Processing;

/// <summary>Retry and lease settings of the processing consumer (<c>ExternalAction:Processor</c>).</summary>
public sealed class ProcessorOptions
{
    public const string Section = "ExternalAction:Processor";

    /// <summary>First retry delay; doubles per attempt (with ±20 % jitter) up to <see cref="RetryMaxSeconds"/>.</summary>
    public double RetryBaseSeconds { get; set; } = 1;

    public double RetryMaxSeconds { get; set; } = 300;

    /// <summary>Added to the channel and callback timeouts to form the claim lease; a crashed owner's work is taken over after it.</summary>
    public int LeaseMarginSeconds { get; set; } = 15;

    /// <summary>
    /// How long one store call of an attempt waits for an unavailable status store before its message is put back for
    /// later (<see cref="StoreOutage"/>). Keep it within <see cref="LeaseMarginSeconds"/> plus the callback timeout, so
    /// an attempt that waited once still holds its claim lease when it records what it did.
    /// </summary>
    public double StoreOutageWaitSeconds { get; set; } = 20;

    /// <summary>When a message put back for a store outage comes back.</summary>
    public double StoreOutageRedeliverySeconds { get; set; } = 10;
}
