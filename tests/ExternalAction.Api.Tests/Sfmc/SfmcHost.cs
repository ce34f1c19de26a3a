using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ExternalAction.TestSupport;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace ExternalAction.Api.Tests.Sfmc;

/// <summary>An Api host serving the SFMC fixture actions (or a file a test writes), with Journey Builder's signing secret configured.</summary>
public sealed class SfmcHost : IAsyncDisposable
{
    public const string PublicBaseUrl = "https://sfmc.example.com";

    private readonly ApiFactory _factory;
    private readonly WebApplicationFactory<Program> _host;

    public SfmcHost(IDictionary<string, string?>? overrides = null, string? actionsFile = null, string environment = "Production", string? secondSecret = null)
    {
        var settings = SfmcJourneyBuilder.Settings(secondSecret);
        settings["ExternalAction:Actions:File"] = actionsFile ?? Path.Combine(Fixtures.Root, "actions", "sfmc-actions.json");
        settings["ExternalAction:Intake:PublicBaseUrl"] = PublicBaseUrl;
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
            settings[key] = value;
        _factory = new ApiFactory(settings, environment);
        // The test's log capture added: logs are read to prove tokens never reach them.
        _host = _factory.WithWebHostBuilder(b => b.ConfigureLogging(l => l.AddProvider(Logs)));
        Client = _host.CreateClient();
    }

    public LogCapture Logs { get; } = new();
    public HttpClient Client { get; }
    public IServiceProvider Services => _host.Services;

    public Task<HttpResponseMessage> ExecuteAsync(string action, string token) =>
        Client.PostAsync($"/actions/{action}/sfmc/execute", SfmcJourneyBuilder.Jwt(token));

    public static async Task<JsonObject> JsonAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonObject>())!;

    /// <summary>Writes an action file for this test (for actions that name a WireMock URL) and returns its path.</summary>
    public static string WriteActions(params JsonObject[] actions)
    {
        var path = Path.Combine(Path.GetTempPath(), $"sfmc-actions-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, new JsonObject { ["actions"] = new JsonArray(actions) }.ToJsonString());
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _host.DisposeAsync();
        await _factory.DisposeAsync();
    }
}
