using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ExternalAction.Actions;

/// <summary>
/// The client certificate a webhook channel presents in the TLS handshake (mutual TLS), from named secrets: a PEM
/// certificate (<see cref="CertificateSecret"/>, chain after it allowed) with its PEM private key (<see cref="KeySecret"/>),
/// or a base64 PKCS#12 file (<see cref="PfxSecret"/>) with an optional <see cref="PasswordSecret"/>. <see cref="ServerCaSecret"/>
/// optionally names a PEM CA certificate that the server's certificate must chain to, instead of the system's roots.
/// </summary>
public sealed record ChannelClientCertificate
{
    public string? CertificateSecret { get; init; }
    public string? KeySecret { get; init; }
    public string? PfxSecret { get; init; }
    public string? PasswordSecret { get; init; }
    public string? ServerCaSecret { get; init; }

    /// <summary>The secrets it names, with their keys under <c>channel.clientCertificate</c>.</summary>
    public IEnumerable<(string Key, string Name)> SecretNames()
    {
        if (CertificateSecret is { } c) yield return ("channel.clientCertificate.certificateSecret", c);
        if (KeySecret is { } k) yield return ("channel.clientCertificate.keySecret", k);
        if (PfxSecret is { } p) yield return ("channel.clientCertificate.pfxSecret", p);
        if (PasswordSecret is { } w) yield return ("channel.clientCertificate.passwordSecret", w);
        if (ServerCaSecret is { } s) yield return ("channel.clientCertificate.serverCaSecret", s);
    }

    /// <summary>What is wrong with how it is written, or null.</summary>
    public string? Problem() =>
        PfxSecret is not null
            ? CertificateSecret is not null || KeySecret is not null
                ? "key 'channel.clientCertificate': give either 'pfxSecret' or 'certificateSecret' with 'keySecret', not both."
                : null
            : CertificateSecret is null || KeySecret is null
                ? "key 'channel.clientCertificate': needs 'certificateSecret' and 'keySecret' (PEM), or 'pfxSecret' (base64 PKCS#12)."
                : PasswordSecret is not null
                    ? "key 'channel.clientCertificate.passwordSecret': is only read with 'pfxSecret'."
                    : null;

    /// <summary>
    /// The certificate with its private key, from the secrets' values (<paramref name="resolve"/> gives a secret's value).
    /// Throws <see cref="CryptographicException"/> naming what is wrong, never a value.
    /// </summary>
    public X509Certificate2 Load(Func<string, string> resolve)
    {
        X509Certificate2 certificate;
        try
        {
            certificate = PfxSecret is { } pfx
                ? X509CertificateLoader.LoadPkcs12(Convert.FromBase64String(resolve(pfx).Trim()), PasswordSecret is { } pw ? resolve(pw) : null)
                : X509Certificate2.CreateFromPem(resolve(CertificateSecret!), resolve(KeySecret!));
        }
        catch (Exception e) when (e is CryptographicException or FormatException or ArgumentException)
        {
            throw new CryptographicException(PfxSecret is { } p
                ? $"secret '{p}' does not hold a base64 PKCS#12 file that opens with its password ({e.GetType().Name})"
                : $"secrets '{CertificateSecret}' and '{KeySecret}' do not hold a PEM certificate and its matching PEM private key ({e.GetType().Name})");
        }
        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw new CryptographicException($"the client certificate in secret '{PfxSecret ?? CertificateSecret}' has no private key");
        }
        return certificate;
    }

    /// <summary>The server CA certificate (PEM), or null when the system's roots apply.</summary>
    public X509Certificate2? LoadServerCa(Func<string, string> resolve)
    {
        if (ServerCaSecret is not { } name)
            return null;
        try
        {
            return X509Certificate2.CreateFromPem(resolve(name));
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new CryptographicException($"secret '{name}' does not hold a PEM CA certificate ({e.GetType().Name})");
        }
    }
}
