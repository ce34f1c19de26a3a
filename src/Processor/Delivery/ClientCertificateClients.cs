using System.Collections.Concurrent;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ExternalAction.Actions;
using ExternalAction.Processor.Outbound;
using ExternalAction.ServiceDefaults.Secrets;
using Microsoft.Extensions.Options;

namespace ExternalAction.Processor.Delivery;

/// <summary>
/// Webhook clients that present a channel's client certificate (mutual TLS). A certificate belongs to the connection,
/// so each certificate gets its own handler: the outbound primary handler (<see cref="OutboundHttpExtensions.CreatePrimaryHandler"/>:
/// the address-checking connect callback, no redirects, connection lifetime) with the certificate added, behind the same
/// per-host bulkhead and redirect refusal as the shared webhook client. Clients are cached by the secrets' names and a
/// hash of their values, so a rotated certificate gets a new client (and the old one is disposed).
/// </summary>
public sealed class ClientCertificateClients(SecretResolver secrets, IOptions<OutboundOptions> options, HostBulkhead bulkhead) : IDisposable
{
    private readonly ConcurrentDictionary<string, Entry> _clients = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    private sealed record Entry(string Fingerprint, HttpClient Client, X509Certificate2 Certificate, X509Certificate2? ServerCa);

    /// <exception cref="CryptographicException">The secrets do not hold a usable certificate (the message names the secret).</exception>
    public HttpClient For(ChannelClientCertificate certificate)
    {
        var key = string.Join('\n', certificate.SecretNames().Select(s => s.Key + "=" + s.Name));
        var fingerprint = Fingerprint(certificate);
        if (_clients.TryGetValue(key, out var entry) && entry.Fingerprint == fingerprint)
            return entry.Client;
        lock (_gate)
        {
            if (_clients.TryGetValue(key, out entry) && entry.Fingerprint == fingerprint)
                return entry.Client;
            var created = Create(certificate, fingerprint);
            _clients[key] = created;
            // In-flight requests on the old client finish on their connections; its handler is not reused.
            if (entry is not null)
                _ = DisposeLaterAsync(entry);
            return created.Client;
        }
    }

    private string Fingerprint(ChannelClientCertificate certificate)
    {
        var values = string.Join('\n', certificate.SecretNames().Select(s => secrets.Resolve(s.Name)));
        return Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(values)));
    }

    private Entry Create(ChannelClientCertificate definition, string fingerprint)
    {
        var certificate = definition.Load(secrets.Resolve);
        var serverCa = definition.LoadServerCa(secrets.Resolve);
        var handler = OutboundHttpExtensions.CreatePrimaryHandler(options.Value);
        handler.SslOptions.ClientCertificates = [certificate];
        if (serverCa is not null)
            handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, _, errors) => ChainsTo(cert, errors, serverCa);
        var client = new HttpClient(new HostBulkhead.Handler(bulkhead) { InnerHandler = new RedirectRefusal { InnerHandler = handler } })
        {
            Timeout = TimeSpan.FromMinutes(11),
        };
        return new Entry(fingerprint, client, certificate, serverCa);
    }

    /// <summary>The server's certificate names the host and chains to the channel's CA (and only to it).</summary>
    private static bool ChainsTo(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2 ca)
    {
        if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
            return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var server = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return chain.Build(server);
    }

    private static async Task DisposeLaterAsync(Entry entry)
    {
        await Task.Delay(TimeSpan.FromMinutes(11));
        Dispose(entry);
    }

    private static void Dispose(Entry entry)
    {
        entry.Client.Dispose();
        entry.Certificate.Dispose();
        entry.ServerCa?.Dispose();
    }

    public void Dispose()
    {
        foreach (var entry in _clients.Values)
            Dispose(entry);
        _clients.Clear();
    }
}
