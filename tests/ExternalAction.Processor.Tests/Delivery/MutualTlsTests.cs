using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ExternalAction.Actions;
using ExternalAction.Processor.Delivery;
using ExternalAction.Processor.Outbound;
using ExternalAction.ServiceDefaults.Secrets;
using ExternalAction.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging;
using static ExternalAction.Processor.Tests.TestMessages;

namespace ExternalAction.Processor.Tests.Delivery;

/// <summary>
/// A webhook channel with a client certificate against a local TLS endpoint (TcpListener + SslStream) that requires a
/// client certificate issued by its CA. The certificates are generated here (CertificateRequest).
/// </summary>
public sealed class MutualTlsTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    private X509Certificate2 _ca = null!, _server = null!, _client = null!, _strangerClient = null!;
    private TcpListener _listener = null!;
    private CancellationTokenSource _stop = null!;
    private readonly List<string> _seenClients = [];
    private readonly List<string> _requests = [];
    private int _refusedHandshakes;
    private ServiceProvider _services = null!;
    private LogCapture _logs = null!;

    [SetUp]
    public void Start()
    {
        // NUnit reuses one fixture instance for every test.
        _seenClients.Clear();
        _requests.Clear();
        _refusedHandshakes = 0;
        _ca = Authority("CN=Test Webhook CA");
        _server = Issue(_ca, "CN=localhost", serverAuth: true);
        _client = Issue(_ca, "CN=externalaction-client", serverAuth: false);
        using var stranger = Authority("CN=Another CA");
        _strangerClient = Issue(stranger, "CN=stranger", serverAuth: false);

        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _stop = new CancellationTokenSource();
        _ = ServeAsync(_stop.Token);
    }

    [TearDown]
    public void Stop()
    {
        _services?.Dispose();
        _stop.Cancel();
        _listener.Stop();
        _stop.Dispose();
        foreach (var c in new[] { _ca, _server, _client, _strangerClient })
            c.Dispose();
    }

    private int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    private ChannelDelivery Delivery(Dictionary<string, string?> secrets)
    {
        _logs = new LogCapture();
        var settings = new Dictionary<string, string?>(secrets)
        {
            ["Secrets:server-ca"] = _ca.ExportCertificatePem(),
            ["ExternalAction:Outbound:AllowedNetworks:0"] = "127.0.0.0/8",
        };
        _services = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build())
            .AddLogging(l => l.AddProvider(_logs).SetMinimumLevel(LogLevel.Trace))
            .AddChannelDelivery()
            .BuildServiceProvider();
        return _services.GetRequiredService<ChannelDelivery>();
    }

    private ActionDefinition Webhook(ChannelClientCertificate certificate) => Action("lead-scoring.json", new ChannelDefinition
    {
        Type = ChannelTypes.Webhook,
        Url = $"https://localhost:{Port}/hook",
        Body = System.Text.Json.Nodes.JsonNode.Parse("""{ "id": "{{ lead.id }}" }"""),
        ClientCertificate = certificate,
        TimeoutSeconds = 10,
    });

    private static readonly ChannelClientCertificate Pem = new() { CertificateSecret = "client-cert", KeySecret = "client-key", ServerCaSecret = "server-ca" };

    private static Dictionary<string, string?> PemSecrets(X509Certificate2 certificate) => new()
    {
        ["Secrets:client-cert"] = certificate.ExportCertificatePem(),
        ["Secrets:client-key"] = certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem(),
    };

    [Test]
    public async Task With_the_right_PEM_certificate_the_webhook_is_delivered()
    {
        var result = await Delivery(PemSecrets(_client)).DeliverAsync(Webhook(Pem), For(SampleRequests.Lead(), "req-mtls"), default);

        Assert.That(result.Succeeded, Is.True, result.Error);
        Assert.That(result.StatusCode, Is.EqualTo(200));
        Assert.That(_seenClients, Is.EqualTo(new[] { "CN=externalaction-client" }));
        Assert.That(_requests.Single(), Does.StartWith("POST /hook HTTP/1.1").And.Contain("Idempotency-Key: req-mtls").And.EndWith("""{"id":"12345"}"""));
        Assert.That(_logs.All, Does.Not.Contain("PRIVATE KEY"));
    }

    [Test]
    public async Task With_the_right_PFX_certificate_and_its_password_the_webhook_is_delivered()
    {
        var secrets = new Dictionary<string, string?>
        {
            ["Secrets:client-pfx"] = Convert.ToBase64String(_client.Export(X509ContentType.Pkcs12, "pfx-password")),
            ["Secrets:client-pfx-password"] = "pfx-password",
        };
        var pfx = new ChannelClientCertificate { PfxSecret = "client-pfx", PasswordSecret = "client-pfx-password", ServerCaSecret = "server-ca" };
        var result = await Delivery(secrets).DeliverAsync(Webhook(pfx), For(SampleRequests.Lead()), default);

        Assert.That(result.Succeeded, Is.True, result.Error);
        Assert.That(_requests, Has.Count.EqualTo(1), string.Join("\n---\n", _requests));
        Assert.That(_seenClients, Is.EqualTo(new[] { "CN=externalaction-client" }));
    }

    /// <summary>
    /// The server refuses the certificate and closes the connection: the client sees an HttpRequestException
    /// (ResponseEnded under TLS 1.3, SecureConnectionError under TLS 1.2), which HttpOutcome classifies as a transient
    /// send failure like any dropped connection (it cannot tell a refused certificate from a network fault), so it is
    /// retried until the deadline.
    /// </summary>
    [Test]
    public async Task A_certificate_the_server_does_not_accept_fails_the_handshake_as_a_transient_failure()
    {
        var result = await Delivery(PemSecrets(_strangerClient)).DeliverAsync(Webhook(Pem), For(SampleRequests.Lead()), default);

        Assert.That(result.Failure, Is.EqualTo(FailureKind.Transient));
        Assert.That(result.StatusCode, Is.Null);
        // TLS 1.3 sends the client certificate after the client's handshake is done: the client learns of the refusal
        // when the server closes the connection instead of answering (ResponseEnded); with TLS 1.2, in the handshake.
        Assert.That(result.Error, Is.AnyOf("connection error (ResponseEnded)", "connection error (SecureConnectionError)"));
        Assert.That(_requests, Is.Empty, "no request got past the handshake");
        Assert.That(_refusedHandshakes, Is.GreaterThanOrEqualTo(1));
    }

    [Test]
    public async Task A_certificate_secret_that_does_not_parse_is_permanent_and_names_the_secret()
    {
        var secrets = PemSecrets(_client);
        secrets["Secrets:client-key"] = _strangerClient.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem();
        var result = await Delivery(secrets).DeliverAsync(Webhook(Pem), For(SampleRequests.Lead()), default);

        Assert.That(result.Failure, Is.EqualTo(FailureKind.Permanent));
        Assert.That(result.Error, Does.Contain("'client-cert'").And.Contain("'client-key'").And.Not.Contain("PRIVATE KEY"));
        Assert.That(_requests, Is.Empty);
    }

    [TestCase("mismatched key")]
    [TestCase("not PEM")]
    [TestCase("certificate without its key")]
    public void Start_up_stops_when_the_certificate_secrets_do_not_hold_a_certificate_with_its_key(string what)
    {
        var values = PemSecrets(_client);
        values["Secrets:server-ca"] = _ca.ExportCertificatePem();
        switch (what)
        {
            case "mismatched key": values["Secrets:client-key"] = _strangerClient.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem(); break;
            case "not PEM": values["Secrets:client-cert"] = "not a certificate"; break;
            case "certificate without its key": values["Secrets:client-key"] = _client.ExportCertificatePem(); break;
        }
        var checks = new ChannelChecks(new ActionCatalog([Webhook(Pem)], "actions.json"),
            new SecretResolver(new ConfigurationBuilder().AddInMemoryCollection(values).Build()),
            new HostingEnvironment { EnvironmentName = "Development" }, _ => null);

        var e = Assert.ThrowsAsync<ActionDefinitionException>(() => checks.StartingAsync(default));
        Assert.That(e!.Message, Does.Contain("actions.json").And.Contain("key 'channel.clientCertificate'").And.Contain("'client-key'"));
        Assert.That(e.Message, Does.Not.Contain("PRIVATE KEY").And.Not.Contain("BEGIN CERTIFICATE"));
    }

    [Test]
    public void Start_up_accepts_a_certificate_with_its_key_and_names_a_missing_secret()
    {
        var values = PemSecrets(_client);
        values["Secrets:server-ca"] = _ca.ExportCertificatePem();
        ChannelChecks Checks(Dictionary<string, string?> v) => new(new ActionCatalog([Webhook(Pem)], "actions.json"),
            new SecretResolver(new ConfigurationBuilder().AddInMemoryCollection(v).Build()),
            new HostingEnvironment { EnvironmentName = "Development" }, _ => null);

        Assert.DoesNotThrowAsync(() => Checks(values).StartingAsync(default));
        values.Remove("Secrets:client-key");
        var e = Assert.ThrowsAsync<ActionDefinitionException>(() => Checks(values).StartingAsync(default));
        Assert.That(e!.Message, Does.Contain("key 'channel.clientCertificate.keySecret'"));
    }

    private async Task ServeAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            TcpClient connection;
            try { connection = await _listener.AcceptTcpClientAsync(ct); }
            catch (Exception) { return; }
            _ = HandleAsync(connection, ct);
        }
    }

    private async Task HandleAsync(TcpClient connection, CancellationToken ct)
    {
        using var _ = connection;
        await using var tls = new SslStream(connection.GetStream());
        try
        {
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificate = _server,
                ClientCertificateRequired = true,
                RemoteCertificateValidationCallback = (_, certificate, _, _) => IssuedByCa(certificate),
            }, ct);
        }
        catch (Exception)
        {
            Interlocked.Increment(ref _refusedHandshakes);
            return;
        }
        lock (_seenClients)
            _seenClients.Add(tls.RemoteCertificate!.Subject);
        var buffer = new byte[65536];
        var received = new StringBuilder();
        int headerEnd;
        while ((headerEnd = received.ToString().IndexOf("\r\n\r\n", StringComparison.Ordinal)) < 0)
        {
            var n = await tls.ReadAsync(buffer, ct);
            if (n == 0) return;
            received.Append(Encoding.UTF8.GetString(buffer, 0, n));
        }
        var length = received.ToString()[..headerEnd].Split("\r\n")
            .Where(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)).Select(l => int.Parse(l[15..].Trim())).FirstOrDefault();
        while (Encoding.UTF8.GetByteCount(received.ToString()) < headerEnd + 4 + length)
        {
            var n = await tls.ReadAsync(buffer, ct);
            if (n == 0) return;
            received.Append(Encoding.UTF8.GetString(buffer, 0, n));
        }
        lock (_requests)
            _requests.Add(received.ToString());
        await tls.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\nConnection: close\r\n\r\n{\"ok\":true}"), ct);
        await tls.FlushAsync(ct);
    }

    private bool IssuedByCa(X509Certificate? certificate)
    {
        if (certificate is null)
            return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(_ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var presented = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return chain.Build(presented);
    }

    private static X509Certificate2 Authority(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.CreateSelfSigned(Now.AddDays(-1), Now.AddDays(30));
    }

    private static X509Certificate2 Issue(X509Certificate2 ca, string subject, bool serverAuth)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [serverAuth ? new Oid("1.3.6.1.5.5.7.3.1") : new Oid("1.3.6.1.5.5.7.3.2")], false));
        if (serverAuth)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName("localhost");
            names.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
        }
        var serial = RandomNumberGenerator.GetBytes(16);
        using var issued = request.Create(ca, Now.AddHours(-1), Now.AddDays(7), serial);
        using var withKey = issued.CopyWithPrivateKey(key);
        // A PKCS#12 round trip gives a key SslStream can use on every platform.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.Exportable);
    }
}
