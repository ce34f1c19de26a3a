using System.Net;

namespace ExternalAction.Processor.Outbound;

/// <summary>
/// A request the outbound pipeline refused to send or to follow. Derived from <see cref="HttpRequestException"/> so every
/// caller's existing handling of send failures sees it; <see cref="HttpOutcome.FromException"/> classifies it.
/// </summary>
public abstract class OutboundRefusedException(string message) : HttpRequestException(message);

/// <summary>The connection would have gone to an address in a blocked range (thrown from the connect callback).</summary>
public sealed class BlockedDestinationException(string host, IPAddress address, string range)
    : OutboundRefusedException($"destination address {address} of {host} is in a blocked range ({range}); allow it with {OutboundOptions.Section}:AllowedNetworks (a CIDR such as {SuggestedNetwork(address)})")
{
    public IPAddress Address { get; } = address;
    public string Range { get; } = range;

    private static string SuggestedNetwork(IPAddress address) =>
        address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? $"{address}/32" : $"{address}/128";
}

/// <summary>The server answered 3xx. Redirects are never followed: a third party must not choose where our headers go.</summary>
public sealed class RedirectRefusedException(int statusCode, string? locationHost)
    : OutboundRefusedException(HttpOutcome.RedirectReason(statusCode, locationHost))
{
    public int Status { get; } = statusCode;
}

/// <summary>The destination host already has as many requests in flight as one host may have; try again shortly.</summary>
public sealed class DestinationBusyException(string host, int limit, TimeSpan retryAfter)
    : HttpRequestException($"destination host busy: {host} already has {limit} requests in flight, the most one host may hold ({OutboundOptions.Section}:PerHostConcurrencyShare)")
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}
