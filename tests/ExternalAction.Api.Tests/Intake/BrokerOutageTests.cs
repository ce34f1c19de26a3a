using System.Diagnostics;
using System.Net;
using System.Text;
using ExternalAction.TestSupport;

namespace ExternalAction.Api.Tests.Intake;

/// <summary>
/// With the broker stopped, intake answers 503 (never 200) within a bounded time, /status says so, and both recover
/// by themselves when the broker returns. Uses its own RabbitMQ node so other suites keep theirs.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class BrokerOutageTests
{
    private ApiFactory _factory = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("EXTERNALACTION_RABBITMQ_URL")))
            Assert.Ignore("EXTERNALACTION_RABBITMQ_URL is set: this test stops and starts a local broker node of its own, which an external broker setup does not provide.");
        await RabbitMqBroker.Second.StartAsync();
        _factory = new ApiFactory(new Dictionary<string, string?>
        {
            ["ExternalAction:RabbitMq:Url"] = RabbitMqBroker.Second.Url,
            ["ExternalAction:Intake:PublishTimeoutSeconds"] = "2",
        });
        _client = _factory.CreateAuthenticatedClient();
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _client?.Dispose();
        if (_factory is not null)
            await _factory.DisposeAsync();
        await RabbitMqBroker.Second.StopAsync();
    }

    private async Task<HttpStatusCode> Submit()
    {
        using var response = await _client.PostAsync("/actions/lead-scoring/submitAsyncAction",
            new StringContent(SampleRequests.Lead(token: $"tok-{Guid.NewGuid():N}").ToJsonString(), Encoding.UTF8, "application/json"));
        return response.StatusCode;
    }

    [Test]
    public async Task A_stopped_broker_gives_503s_and_the_service_recovers_when_it_returns()
    {
        Assert.That(await Submit(), Is.EqualTo(HttpStatusCode.OK));

        await RabbitMqBroker.Second.StopAsync();
        var timer = Stopwatch.StartNew();
        var whileDown = await Submit();
        var took = timer.Elapsed;
        Assert.That(whileDown, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(took, Is.LessThan(TimeSpan.FromSeconds(5)), "bounded by PublishTimeoutSeconds");
        for (var i = 0; i < 3; i++)
            Assert.That(await Submit(), Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        using (var status = await _client.GetAsync("/actions/lead-scoring/status"))
            Assert.That(status.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), await status.Content.ReadAsStringAsync());

        await RabbitMqBroker.Second.StartAsync();
        var recovered = false;
        var until = DateTime.UtcNow.AddSeconds(60);
        while (!recovered && DateTime.UtcNow < until)
        {
            recovered = await Submit() == HttpStatusCode.OK;
            if (!recovered)
                await Task.Delay(500);
        }
        Assert.That(recovered, Is.True, "intake accepts again without a restart");
        using var healthy = await _client.GetAsync("/actions/lead-scoring/status");
        Assert.That(healthy.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }
}
