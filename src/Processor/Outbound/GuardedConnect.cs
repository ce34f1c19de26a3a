using System.Net;
using System.Net.Http;
using System.Net.Sockets;

namespace ExternalAction.Processor.Outbound;

/// <summary>
/// The <see cref="SocketsHttpHandler.ConnectCallback"/> of every outbound client: resolves the name itself, keeps only
/// the addresses <see cref="AddressPolicy"/> allows and connects to one of those, so what is checked is what is
/// connected to (a name resolving to loopback, or re-resolving there between attempts, is refused).
/// </summary>
public static class GuardedConnect
{
    public static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> Callback(AddressPolicy policy) =>
        (context, ct) => ConnectAsync(policy, context.DnsEndPoint, ct);

    private static async ValueTask<Stream> ConnectAsync(AddressPolicy policy, DnsEndPoint endpoint, CancellationToken ct)
    {
        var host = endpoint.Host;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, ct);
        var allowed = new List<IPAddress>(addresses.Length);
        (IPAddress Address, string Range)? refused = null;
        foreach (var address in addresses)
        {
            if (policy.BlockedRange(address) is { } range)
                refused ??= (address, range);
            else
                allowed.Add(address);
        }
        if (allowed.Count == 0)
        {
            if (refused is { } r)
                throw new BlockedDestinationException(host, r.Address, r.Range);
            throw new SocketException((int)SocketError.HostNotFound);
        }

        // Dual-mode like SocketsHttpHandler's own connect, so IPv4 and IPv6 addresses both work.
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync([.. allowed], endpoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
