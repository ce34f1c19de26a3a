using System.Net;
using System.Net.Sockets;

namespace ExternalAction.Processor.Outbound;

/// <summary>
/// Which IP addresses an outbound connection may go to: not loopback, private, link-local, CGNAT, multicast,
/// unspecified, broadcast or reserved (IPv4 and IPv6, and IPv4 addresses embedded in IPv6 as mapped, compatible or
/// NAT64 forms), unless one of the configured allowed networks contains it. Checked on the address actually connected
/// to, so a permitted name that resolves (or re-resolves) to an internal address is still refused.
/// </summary>
public sealed class AddressPolicy
{
    private static readonly (IPNetwork Network, string Range)[] Blocked =
    [
        (IPNetwork.Parse("0.0.0.0/8"), "unspecified"),
        (IPNetwork.Parse("10.0.0.0/8"), "private"),
        (IPNetwork.Parse("100.64.0.0/10"), "carrier-grade NAT"),
        (IPNetwork.Parse("127.0.0.0/8"), "loopback"),
        (IPNetwork.Parse("169.254.0.0/16"), "link-local"),
        (IPNetwork.Parse("172.16.0.0/12"), "private"),
        (IPNetwork.Parse("192.168.0.0/16"), "private"),
        (IPNetwork.Parse("224.0.0.0/4"), "multicast"),
        (IPNetwork.Parse("255.255.255.255/32"), "broadcast"),
        (IPNetwork.Parse("240.0.0.0/4"), "reserved"),
        (IPNetwork.Parse("::/128"), "unspecified"),
        (IPNetwork.Parse("::1/128"), "loopback"),
        (IPNetwork.Parse("fe80::/10"), "link-local"),
        (IPNetwork.Parse("fec0::/10"), "site-local"),
        (IPNetwork.Parse("fc00::/7"), "unique local (private)"),
        (IPNetwork.Parse("ff00::/8"), "multicast"),
    ];

    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");
    private static readonly IPNetwork V4Compatible = IPNetwork.Parse("::/96");

    private readonly IPNetwork[] _allowed;

    public AddressPolicy(IEnumerable<IPNetwork> allowed) => _allowed = [.. allowed];

    public static AddressPolicy From(OutboundOptions options) => new(options.AllowedNetworks.Select(IPNetwork.Parse));

    /// <summary>Null when <paramref name="address"/> may be connected to; otherwise the name of the blocked range it is in.</summary>
    public string? BlockedRange(IPAddress address)
    {
        var range = Classify(address);
        if (range is null)
            return null;
        var v4 = EmbeddedIPv4(address);
        return _allowed.Any(n => n.Contains(address) || (v4 is not null && n.Contains(v4))) ? null : range;
    }

    /// <summary>The blocked range an address is in, ignoring the allowed networks; null for a public address.</summary>
    public static string? Classify(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
            return Classify(address.MapToIPv4()) is { } mapped ? $"{mapped}, as IPv4 inside IPv6" : null;
        foreach (var (network, range) in Blocked)
        {
            if (network.Contains(address))
                return range;
        }
        return EmbeddedIPv4(address) is { } v4 && Classify(v4) is { } embedded ? $"{embedded}, as IPv4 inside IPv6" : null;
    }

    /// <summary>The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) or NAT64 (64:ff9b::a.b.c.d) IPv6 address.</summary>
    private static IPAddress? EmbeddedIPv4(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
            return null;
        if (address.IsIPv4MappedToIPv6)
            return address.MapToIPv4();
        if (V4Compatible.Contains(address) || Nat64.Contains(address))
        {
            var bytes = address.GetAddressBytes();
            return new IPAddress(bytes.AsSpan(12, 4));
        }
        return null;
    }
}
