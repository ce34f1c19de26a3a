using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using ExternalAction.TestSupport;

namespace ExternalAction.Api.Tests.Intake;

/// <summary>
/// Drill 4 in a test: while the broker is down intake answers 503 at once (far under the publish timeout), in the
/// contract's error shape with Retry-After, never 200; once the broker is back it accepts again within a bounded time,
/// without a restart. Uses a RabbitMQ node of its own (instance 14, port 5685) so no other suite loses its broker.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class BrokerRestartRecoveryTests
{
    private static readonly RabbitMqBroker.LocalNode Node = new(14);
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(5);
    private ApiFactory _factory = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("EXTERNALACTION_RABBITMQ_URL")))
            Assert.Ignore("EXTERNALACTION_RABBITMQ_URL is set: this test stops and starts a local broker node of its own, which an external broker setup does not provide.");
        await Node.StartAsync();
        _factory = new ApiFactory(new Dictionary<string, string?>
        {
            ["ExternalAction:RabbitMq:Url"] = Node.Url,
            ["ExternalAction:Intake:PublishTimeoutSeconds"] = PublishTimeout.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        _client = _factory.CreateAuthenticatedClient();
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _client?.Dispose();
        if (_factory is not null)
            await _factory.DisposeAsync();
        await Node.StopAsync();
    }

    private sealed record Answer(HttpStatusCode Status, TimeSpan Took, string? RetryAfter, string Body);

    private async Task<Answer> Submit()
    {
        var timer = Stopwatch.StartNew();
        using var response = await _client.PostAsync("/actions/lead-scoring/submitAsyncAction",
            new StringContent(SampleRequests.Lead(token: $"tok-{Guid.NewGuid():N}").ToJsonString(), Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        return new Answer(response.StatusCode, timer.Elapsed, response.Headers.RetryAfter?.Delta?.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), body);
    }

    [Test]
    public async Task While_the_broker_is_down_intake_answers_503_at_once_and_accepts_again_soon_after_it_returns()
    {
        // The first publish also opens MassTransit's connection; wait for one confirmed request.
        var until = DateTime.UtcNow.AddSeconds(60);
        Answer first;
        do
            first = await Submit();
        while (first.Status != HttpStatusCode.OK && DateTime.UtcNow < until);
        Assert.That(first.Status, Is.EqualTo(HttpStatusCode.OK), first.Body);

        await Node.StopAsync();
        // The watch hears the broker close its connection during shutdown; give its event a moment to land.
        var noticed = await Submit();
        Assert.That(noticed.Status, Is.EqualTo(HttpStatusCode.ServiceUnavailable), noticed.Body);
        var down = new List<Answer>();
        for (var i = 0; i < 20; i++)
            down.Add(await Submit());
        Assert.Multiple(() =>
        {
            foreach (var answer in down)
            {
                Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.ServiceUnavailable), answer.Body);
                // Well under the publish timeout the old behaviour waited out on every request (generous for a loaded machine).
                Assert.That(answer.Took, Is.LessThan(TimeSpan.FromSeconds(1.5)), "answered without waiting for the publish timeout");
                Assert.That(answer.RetryAfter, Is.EqualTo("5"));
            }
        });
        using (var error = JsonDocument.Parse(down[0].Body))
        {
            Assert.That(error.RootElement.GetProperty("status").GetString(), Is.EqualTo("error"));
            Assert.That(error.RootElement.GetProperty("code").GetString(), Is.EqualTo("INTERNAL_ERROR"));
            Assert.That(error.RootElement.GetProperty("error").GetProperty("code").GetString(), Is.EqualTo("SERVICE_UNAVAILABLE"));
            Assert.That(error.RootElement.GetProperty("error").GetProperty("retryAfter").GetInt32(), Is.EqualTo(5));
        }

        await Node.StartAsync();
        // infra/rabbitmq.sh returns once the node answers `await_startup`; from then on intake must accept within a bound.
        var back = Stopwatch.StartNew();
        var recovery = new List<Answer>();
        Answer last;
        do
        {
            last = await Submit();
            recovery.Add(last);
        }
        while (last.Status != HttpStatusCode.OK && back.Elapsed < TimeSpan.FromSeconds(30));
        var acceptedAfter = back.Elapsed;
        TestContext.Out.WriteLine($"first 200 {acceptedAfter.TotalMilliseconds:0} ms after the node was back; {recovery.Count - 1} 503s before it");
        Assert.That(last.Status, Is.EqualTo(HttpStatusCode.OK), last.Body);
        Assert.That(acceptedAfter, Is.LessThan(TimeSpan.FromSeconds(3)), "accepting again within a bound of the broker's return (target 1 s; generous for a loaded machine)");
        Assert.That(recovery.Where(a => a.Status != HttpStatusCode.OK).Select(a => a.Status), Has.All.EqualTo(HttpStatusCode.ServiceUnavailable));
        for (var i = 0; i < 5; i++)
            Assert.That((await Submit()).Status, Is.EqualTo(HttpStatusCode.OK), "and keeps accepting");
    }
}
