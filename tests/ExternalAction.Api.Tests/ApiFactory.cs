using ExternalAction.TestSupport;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace ExternalAction.Api.Tests;

/// <summary>
/// The Api host with its infrastructure swapped from the outside: actions file, credentials, database, broker.
/// Settings go through <c>UseSetting</c> so Program's registration code sees them. By default: API-key auth,
/// a temporary SQLite file, the in-memory transport without the embedded Processor.
/// </summary>
public sealed class ApiFactory : WebApplicationFactory<Program>
{
    public const string ApiKey = "test-api-key-0123456789";
    public const string SupportKey = "test-support-key-0123456789";

    private readonly Dictionary<string, string?> _settings;
    private readonly string _environment;
    private readonly string _databaseFile = Path.Combine(Path.GetTempPath(), $"externalaction-api-{Guid.NewGuid():N}.db");

    private readonly Action<IServiceCollection>? _services;

    /// <param name="services">Swaps services from the outside (after the app's registrations), e.g. an HTTP handler trusting a test certificate.</param>
    public ApiFactory(IDictionary<string, string?>? overrides = null, string environment = "Production", Action<IServiceCollection>? services = null)
    {
        _environment = environment;
        _services = services;
        _settings = new Dictionary<string, string?>
        {
            ["ExternalAction:Actions:File"] = Path.Combine(Fixtures.Root, "actions", "intake-actions.json"),
            ["ExternalAction:Auth:Scheme"] = "apiKey",
            ["ExternalAction:Auth:ApiKey:Keys:0"] = ApiKey,
            ["ExternalAction:Support:ApiKeys:0"] = SupportKey,
            ["ExternalAction:Store:Provider"] = "sqlite",
            ["ExternalAction:Store:ConnectionString"] = $"Data Source={_databaseFile}",
            ["ExternalAction:Processor:Embedded"] = "false",
            ["ExternalAction:Intake:CallbackHosts:0"] = "*.adobe.io",
            ["ExternalAction:Intake:MaxBodyBytes"] = "65536",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
            _settings[key] = value;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(_environment);
        foreach (var (key, value) in _settings)
            builder.UseSetting(key, value);
        if (_services is not null)
            builder.ConfigureTestServices(_services);
    }

    public HttpClient CreateAuthenticatedClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add("X-API-Key", ApiKey);
        return client;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        foreach (var suffix in new[] { "", "-wal", "-shm" })
            File.Delete(_databaseFile + suffix);
    }
}
