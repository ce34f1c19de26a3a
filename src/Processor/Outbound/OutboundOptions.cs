namespace ExternalAction.Processor.Outbound;

/// <summary>
/// What the Processor's outbound HTTP clients (channels, callbacks, IMS) may reach and how much of the Processor one
/// destination may hold (<c>ExternalAction:Outbound</c>). The trace-context setting of the same section,
/// <c>PropagateTraceContextTo</c>, is read by ServiceDefaults for every host.
/// </summary>
public sealed class OutboundOptions
{
    public const string Section = "ExternalAction:Outbound";

    /// <summary>
    /// CIDR ranges (<c>127.0.0.0/8</c>, <c>10.20.0.0/16</c>, <c>::1/128</c>) that may be connected to although they are
    /// loopback, private, link-local, CGNAT… (see <see cref="AddressPolicy"/>). Empty: only public addresses.
    /// </summary>
    public List<string> AllowedNetworks { get; set; } = [];

    /// <summary>How long establishing a connection (DNS, TCP, TLS) may take before the attempt fails as transient.</summary>
    public double ConnectTimeoutSeconds { get; set; } = 5;

    /// <summary>
    /// The share of the consumer's slots (<c>ExternalAction:RabbitMq:ConcurrentMessageLimit</c>) requests to one
    /// destination host may hold at once; at least one request per host is always allowed. A request beyond it waits
    /// up to <see cref="BusyWaitMilliseconds"/>, then fails as transient ("destination host busy") and is rescheduled,
    /// so a slow host cannot stall the others. Half by default: every callback goes to the platform's one host.
    /// </summary>
    public double PerHostConcurrencyShare { get; set; } = 0.5;

    /// <summary>How long a request beyond its host's share waits for a place before it is rescheduled (0: not at all).</summary>
    public int BusyWaitMilliseconds { get; set; } = 250;

    /// <summary>The retry delay a "destination host busy" failure asks for.</summary>
    public double BusyRetryAfterSeconds { get; set; } = 2;

    /// <summary>Requests one host may have in flight, for a consumer with <paramref name="consumerSlots"/> slots.</summary>
    public int PerHostLimit(int consumerSlots) => Math.Max(1, (int)Math.Floor(consumerSlots * PerHostConcurrencyShare));
}
