using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ExternalAction.Processor;
using ExternalAction.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WireMock.Logging;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace ExternalAction.EndToEnd.Tests;

/// <summary>
/// A whole deployment for one fixture: the real Api host and a real Processor host on their own RabbitMQ virtual
/// host and PostgreSQL database, with WireMock standing in for the platform (IMS token + callback endpoint) and for
/// the channels (webhook, Slack, Twilio).
/// </summary>
public sealed class EndToEndEnvironment : IAsyncDisposable
{
    public const string ApiKey = "e2e-api-key-0123456789";
    public const string SupportKey = "e2e-support-key-0123456789";
    /// <summary>The key of support user <c>alice</c>, role operator (replays).</summary>
    public const string OperatorKey = "e2e-operator-key-0123456789";
    public const string ImsSecret = "ims-client-secret-value";
    public const string ImsToken = "ims-access-token-value";
    public const string TwilioToken = "twilio-auth-token-value";

    private readonly Dictionary<string, string?> _settings;
    private readonly TimeSpan _apiClockOffset;
    private Action<IServiceCollection>? _apiServices;
    private ApiHost? _api;

    private EndToEndEnvironment(WireMockServer wire, RabbitVirtualHost vhost, PostgresDatabase database, string actionsFile,
        Dictionary<string, string?> settings, TimeSpan apiClockOffset)
    {
        Wire = wire;
        VirtualHost = vhost;
        Database = database;
        ActionsFile = actionsFile;
        _settings = settings;
        _apiClockOffset = apiClockOffset;
    }

    public WireMockServer Wire { get; }
    public RabbitVirtualHost VirtualHost { get; }
    public PostgresDatabase Database { get; }
    public string ActionsFile { get; }
    public WebApplication? Processor { get; private set; }

    /// <summary>What the in-process Processor logged (at the configured level, Warning by default).</summary>
    public LogCapture ProcessorLogs { get; } = new();
    public HttpClient Client { get; private set; } = null!;
    public string WireUrl => Wire.Url!;

    /// <param name="tweak">Changes to the settings both hosts get.</param>
    /// <param name="apiClockOffset">Shifts the Api's clock (received time, hence deadlines) to test deadlines quickly.</param>
    /// <param name="actions">The action file's JSON for the WireMock base URL it is given; default: <see cref="ActionsJson"/>.</param>
    /// <param name="kestrel">Serves the Api on a real socket (<see cref="ApiUrl"/>), for a browser.</param>
    /// <param name="moreActions">Adds actions of a suite's own to that file (given WireMock's URL).</param>
    /// <param name="kestrel">Serves the Api on a real socket (<see cref="ApiUrl"/>), for a browser.</param>
    /// <param name="apiServices">Swaps services of the Api from the outside (e.g. a handler trusting a test provider's certificate).</param>
    /// <param name="postgresServer">The database server's connection string (a <see cref="LocalPostgres"/>); default the shared one.</param>
    public static async Task<EndToEndEnvironment> StartAsync(Action<Dictionary<string, string?>>? tweak = null, TimeSpan apiClockOffset = default, bool processorProcess = false,
        Func<string, string>? actions = null, Func<string, IEnumerable<JsonObject>>? moreActions = null, bool kestrel = false,
        Action<IServiceCollection>? apiServices = null, string? postgresServer = null)
    {
        var wire = WireMockServer.Start();
        var vhost = await RabbitVirtualHost.CreateAsync();
        var database = await PostgresDatabase.CreateAsync(postgresServer);
        var actionsFile = Path.Combine(Path.GetTempPath(), $"e2e-actions-{Guid.NewGuid():N}.json");
        var file = JsonNode.Parse((actions ?? (url => ActionsJson(url, [])))(wire.Url!))!;
        foreach (var extra in moreActions?.Invoke(wire.Url!) ?? [])
            file["actions"]!.AsArray().Add(extra);
        await File.WriteAllTextAsync(actionsFile, file.ToJsonString());

        var settings = new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["ExternalAction:Actions:File"] = actionsFile,
            ["ExternalAction:RabbitMq:Url"] = vhost.Url,
            ["ExternalAction:RabbitMq:ConcurrentMessageLimit"] = "8",
            ["ExternalAction:Store:Provider"] = "postgres",
            ["ExternalAction:Store:ConnectionString"] = database.ConnectionString,
            ["ExternalAction:Auth:Scheme"] = "apiKey",
            ["ExternalAction:Auth:ApiKey:Keys:0"] = ApiKey,
            ["ExternalAction:Support:ApiKeys:0"] = SupportKey,
            ["ExternalAction:Support:Users:0:Name"] = "alice",
            ["ExternalAction:Support:Users:0:Key"] = OperatorKey,
            ["ExternalAction:Support:Users:0:Role"] = "operator",
            ["ExternalAction:Intake:AllowHttpLoopback"] = "true",
            ["ExternalAction:Intake:CallbackHosts:0"] = "callbacks.adobe.io",
            ["ExternalAction:Callback:ImsTokenUrl"] = $"{wire.Url}/ims/token",
            ["ExternalAction:Callback:ClientId"] = "e2e-client",
            ["ExternalAction:Callback:TimeoutSeconds"] = "5",
            ["ExternalAction:Processor:RetryBaseSeconds"] = "0.5",
            ["ExternalAction:Processor:RetryMaxSeconds"] = "2",
            ["ExternalAction:Processor:LeaseMarginSeconds"] = "2",
            // WireMock (channels, IMS and callbacks) is one loopback host: allow loopback, and let that one host use every slot.
            ["ExternalAction:Outbound:AllowedNetworks:0"] = "127.0.0.0/8",
            ["ExternalAction:Outbound:AllowedNetworks:1"] = "::1/128",
            ["ExternalAction:Outbound:PerHostConcurrencyShare"] = "1",
            ["Secrets:ims-client-secret"] = ImsSecret,
            ["Secrets:slack-hook"] = $"{wire.Url}/slack/hook",
            ["Secrets:twilio-token"] = TwilioToken,
            ["Logging:LogLevel:Default"] = "Warning",
        };
        tweak?.Invoke(settings);

        var environment = new EndToEndEnvironment(wire, vhost, database, actionsFile, settings, apiClockOffset) { _apiServices = apiServices };
        environment.StubDefaults();
        if (processorProcess)
            await environment.StartProcessorProcessAsync();
        else
            await environment.StartProcessorAsync();
        environment.StartApi(kestrel);
        return environment;
    }

    /// <summary>Adobe's sample service definitions as actions, one per channel kind, all pointing at WireMock.</summary>
    private static string ActionsJson(string wire, IEnumerable<JsonObject> moreActions)
    {
        var adobe = Path.Combine(Fixtures.Root, "adobe");
        var actions = new JsonObject
        {
            ["actions"] = new JsonArray(
                new JsonObject
                {
                    ["name"] = "lead-scoring",
                    ["version"] = "7",
                    ["serviceDefinitionFile"] = Path.Combine(adobe, "lead-scoring.json"),
                    ["channel"] = new JsonObject
                    {
                        ["type"] = "webhook",
                        ["method"] = "POST",
                        ["url"] = wire + "/channel/{{ flow.scenario | default: 'lead' }}",
                        ["headers"] = new JsonObject { ["X-Journey"] = "{{ journey.name }}" },
                        ["body"] = JsonNode.Parse("""{ "email": "{{ lead.email }}", "leadId": "{{ lead.id }}", "model": "{{ flow.scoringModel }}", "note": "Hi {{ lead.firstName }}" }"""),
                        ["timeoutSeconds"] = 5,
                    },
                    ["accessors"] = new JsonObject
                    {
                        ["leadScore"] = new JsonObject { ["source"] = "response", ["path"] = "$.score" },
                        ["scoreTier"] = new JsonObject { ["source"] = "response", ["path"] = "$.tier" },
                        ["readyToBuy"] = new JsonObject { ["source"] = "constant", ["value"] = true },
                    },
                    ["callbackFields"] = new JsonObject { ["mobilePhone"] = new JsonObject { ["source"] = "response", ["path"] = "$.phone" } },
                    ["activityAttributes"] = new JsonObject { ["modelVersion"] = new JsonObject { ["source"] = "constant", ["value"] = "m-1" } },
                },
                new JsonObject
                {
                    ["name"] = "account-enrichment",
                    ["serviceDefinitionFile"] = Path.Combine(adobe, "account-enrichment.json"),
                    ["channel"] = new JsonObject
                    {
                        ["type"] = "slack",
                        ["urlSecret"] = "slack-hook",
                        ["text"] = "Account {{ account.accountName }} reached {{ journey.name }}",
                        ["timeoutSeconds"] = 5,
                    },
                    ["accessors"] = new JsonObject
                    {
                        ["accountTier"] = new JsonObject { ["source"] = "constant", ["value"] = "enterprise" },
                        ["enrichmentScore"] = new JsonObject { ["source"] = "constant", ["value"] = 90 },
                    },
                },
                new JsonObject
                {
                    ["name"] = "buying-group",
                    ["serviceDefinitionFile"] = Path.Combine(adobe, "accountPerson-buying-group.json"),
                    ["channel"] = new JsonObject
                    {
                        ["type"] = "twilio",
                        ["baseUrl"] = wire + "/twilio",
                        ["accountSid"] = "AC123",
                        ["authTokenSecret"] = "twilio-token",
                        ["from"] = "+15550001",
                        ["to"] = "+15550002",
                        ["text"] = "Buying group at {{ account.accountName }}: {{ relationships.size }} people",
                        ["timeoutSeconds"] = 5,
                    },
                    ["accessors"] = new JsonObject
                    {
                        ["buyingRole"] = new JsonObject { ["source"] = "request", ["path"] = "relationship.relationshipMetadata.role" },
                        ["influenceScore"] = new JsonObject { ["source"] = "constant", ["value"] = 80 },
                    },
                }),
        };
        foreach (var more in moreActions)
            actions["actions"]!.AsArray().Add(more);
        return actions.ToJsonString();
    }

    private void StubDefaults()
    {
        Wire.Given(Request.Create().WithPath("/ims/token").UsingPost()).AtPriority(100)
            .RespondWith(Response.Create().WithStatusCode(200).WithBodyAsJson(new { access_token = ImsToken, token_type = "bearer", expires_in = 86399 }));
        Wire.Given(Request.Create().WithPath("/callback/*").UsingPost()).AtPriority(100)
            .RespondWith(Response.Create().WithStatusCode(200).WithBodyAsJson(new { status = "accepted", message = "Callback processed successfully" }));
        Wire.Given(Request.Create().WithPath("/channel/*").UsingPost()).AtPriority(100)
            .RespondWith(Response.Create().WithStatusCode(200).WithBodyAsJson(new { score = 91, tier = "hot", phone = "+1-555-0101" }));
        Wire.Given(Request.Create().WithPath("/slack/hook").UsingPost()).AtPriority(100)
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("ok"));
        Wire.Given(Request.Create().WithPath("/twilio/2010-04-01/Accounts/AC123/Messages.json").UsingPost()).AtPriority(100)
            .RespondWith(Response.Create().WithStatusCode(201).WithBodyAsJson(new { sid = "SM123", status = "queued" }));
    }

    /// <summary>
    /// Starts the Processor as its own OS process (the built ExternalAction.Processor beside the tests), so a test can
    /// kill it with SIGKILL like a crash: nothing is acknowledged or cleaned up.
    /// </summary>
    public async Task StartProcessorProcessAsync()
    {
        var port = FreePort();
        var start = new System.Diagnostics.ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ExternalAction.Processor.dll"));
        foreach (var (key, value) in _settings)
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        start.Environment["urls"] = $"http://127.0.0.1:{port}";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        ProcessorProcess = System.Diagnostics.Process.Start(start)!;
        ProcessorProcess.OutputDataReceived += (_, _) => { };
        ProcessorProcess.ErrorDataReceived += (_, _) => { };
        ProcessorProcess.BeginOutputReadLine();
        ProcessorProcess.BeginErrorReadLine();
        using var http = new HttpClient();
        for (var i = 0; i < 300; i++)
        {
            try
            {
                using var ready = await http.GetAsync($"http://127.0.0.1:{port}/health/ready");
                if (ready.IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100);
        }
        Assert.Fail("The Processor process did not become ready.");
    }

    public System.Diagnostics.Process? ProcessorProcess { get; private set; }

    /// <summary>SIGKILL: the process gets no chance to finish, acknowledge or release anything.</summary>
    public async Task KillProcessorProcessAsync()
    {
        if (ProcessorProcess is null)
            return;
        ProcessorProcess.Kill(entireProcessTree: true);
        await ProcessorProcess.WaitForExitAsync();
        ProcessorProcess.Dispose();
        ProcessorProcess = null;
    }

    private static System.Security.Cryptography.X509Certificates.X509Certificate2 LocalhostCertificate()
    {
        using var key = System.Security.Cryptography.RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=localhost", key,
            System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        var names = new System.Security.Cryptography.X509Certificates.SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        // Kestrel needs the private key in a form it can use on Linux: a round trip through PKCS#12.
        return System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12(
            certificate.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx), null);
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async Task StartProcessorAsync()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production", ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(_settings);
        builder.Logging.AddProvider(ProcessorLogs);
        Processor = ProcessorHost.Build(builder);
        await Processor.StartAsync();
    }

    /// <summary>Stops the in-process Processor host, not waiting for in-flight work.</summary>
    public async Task KillProcessorAsync()
    {
        if (Processor is null)
            return;
        using var now = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        try
        {
            await Processor.StopAsync(now.Token);
        }
        catch (OperationCanceledException)
        {
        }
        await Processor.DisposeAsync();
        Processor = null;
    }

    /// <summary>
    /// The Api's HTTPS address when it listens on real sockets (<c>kestrel: true</c>): a self-signed localhost
    /// certificate, so the console's Secure cookies and antiforgery work as in production. <see cref="Client"/> then
    /// talks to a plain HTTP listener beside it.
    /// </summary>
    public string? ApiUrl { get; private set; }

    private void StartApi(bool kestrel)
    {
        _api = new ApiHost(_settings, _apiClockOffset, _apiServices);
        if (!kestrel)
        {
            Client = _api.CreateClient();
        }
        else
        {
            var (httpPort, httpsPort) = (FreePort(), FreePort());
            var certificate = LocalhostCertificate();
            _api.UseKestrel(o =>
            {
                o.ListenLocalhost(httpPort);
                o.ListenLocalhost(httpsPort, l => l.UseHttps(certificate));
            });
            _api.StartServer();
            ApiUrl = $"https://localhost:{httpsPort}";
            Client = new HttpClient { BaseAddress = new Uri($"http://localhost:{httpPort}") };
        }
        Client.DefaultRequestHeaders.Add("X-API-Key", ApiKey);
    }

    public async Task<(int Status, JsonDocument Body)> SubmitAsync(string action, JsonObject request)
    {
        using var response = await Client.PostAsync($"/actions/{action}/submitAsyncAction",
            new StringContent(request.ToJsonString(), Encoding.UTF8, "application/json"));
        return ((int)response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()));
    }

    public async Task<string> AcceptedAsync(string action, JsonObject request)
    {
        var (status, body) = await SubmitAsync(action, request);
        Assert.That(status, Is.EqualTo(200), body.RootElement.ToString());
        return body.RootElement.GetProperty("requestId").GetString()!;
    }

    /// <summary>The support view of a request (the status row and its transitions), or null while it has none.</summary>
    public async Task<JsonElement?> SupportViewAsync(string requestId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/support/requests/{requestId}");
        request.Headers.Add("X-Support-Key", SupportKey);
        using var response = await Client.SendAsync(request);
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
            return null;
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static string StatusOf(JsonElement view) =>
        (view.TryGetProperty("request", out var r) ? r : view).GetProperty("status").GetString()!;

    public static JsonElement Row(JsonElement view) => view.TryGetProperty("request", out var r) ? r : view;

    /// <summary>Waits until the request's row reaches one of the final states.</summary>
    public async Task<JsonElement> WaitForFinalAsync(string requestId, TimeSpan? timeout = null)
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        JsonElement? last = null;
        while (DateTime.UtcNow < until)
        {
            last = await SupportViewAsync(requestId);
            if (last is { } view && Store.RequestStatuses.IsFinal(StatusOf(view)))
                return view;
            await Task.Delay(100);
        }
        Assert.Fail($"Request {requestId} did not reach a final state; last view: {last}");
        return default;
    }

    public IReadOnlyList<ILogEntry> RequestsTo(string path) =>
        Wire.LogEntries.Where(e => e.RequestMessage.Path == path).ToList();

    public IReadOnlyList<ILogEntry> RequestsStartingWith(string prefix) =>
        Wire.LogEntries.Where(e => e.RequestMessage.Path.StartsWith(prefix, StringComparison.Ordinal)).ToList();

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        if (_api is not null)
            await _api.DisposeAsync();
        await KillProcessorAsync();
        await KillProcessorProcessAsync();
        Wire.Stop();
        Wire.Dispose();
        await VirtualHost.DisposeAsync();
        await Database.DisposeAsync();
        File.Delete(ActionsFile);
    }

    private sealed class ApiHost(Dictionary<string, string?> settings, TimeSpan clockOffset, Action<IServiceCollection>? services) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Production");
            foreach (var (key, value) in settings)
                builder.UseSetting(key, value);
            if (clockOffset != TimeSpan.Zero)
                builder.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(new OffsetTimeProvider(clockOffset)));
            if (services is not null)
                builder.ConfigureTestServices(services);
        }
    }

    private sealed class OffsetTimeProvider(TimeSpan offset) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + offset;
    }
}
