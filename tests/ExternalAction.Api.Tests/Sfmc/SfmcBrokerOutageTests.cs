using System.Net;
using System.Text.Json.Nodes;
using ExternalAction.TestSupport;

namespace ExternalAction.Api.Tests.Sfmc;

/// <summary>
/// With the broker stopped, execute answers 503 (Journey Builder retries 5xx) and never 200, within a bounded time; it
/// accepts again when the broker returns. Uses its own RabbitMQ node, like the B2B intake's outage test.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class SfmcBrokerOutageTests
{
    [Test]
    public async Task Execute_is_503_while_the_broker_is_down_and_200_again_after()
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("EXTERNALACTION_RABBITMQ_URL")))
            Assert.Ignore("EXTERNALACTION_RABBITMQ_URL is set: this test stops and starts a local broker node of its own.");
        await RabbitMqBroker.Second.StartAsync();
        try
        {
            await using var host = new SfmcHost(new Dictionary<string, string?>
            {
                ["ExternalAction:RabbitMq:Url"] = RabbitMqBroker.Second.Url,
                ["ExternalAction:Intake:PublishTimeoutSeconds"] = "2",
            });
            async Task<HttpStatusCode> Execute(string contact)
            {
                var payload = SfmcJourneyBuilder.Payload(new Dictionary<string, JsonNode?>
                {
                    ["contactKey"] = contact, ["webhookUrl"] = "https://hooks.slack.com/services/T/B/x", ["messageTemplate"] = "Hi",
                }, contactKey: contact);
                using var response = await host.ExecuteAsync("slack-alert", SfmcJourneyBuilder.Sign(payload));
                return response.StatusCode;
            }

            Assert.That(await Execute("before"), Is.EqualTo(HttpStatusCode.OK));
            await RabbitMqBroker.Second.StopAsync();
            var timer = System.Diagnostics.Stopwatch.StartNew();
            Assert.That(await Execute("during"), Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(timer.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)), "bounded by PublishTimeoutSeconds");

            await RabbitMqBroker.Second.StartAsync();
            var until = DateTime.UtcNow.AddSeconds(60);
            var recovered = false;
            while (!recovered && DateTime.UtcNow < until)
            {
                recovered = await Execute("after") == HttpStatusCode.OK;
                if (!recovered)
                    await Task.Delay(500);
            }
            Assert.That(recovered, Is.True, "execute accepts again without a restart");
        }
        finally
        {
            await RabbitMqBroker.Second.StopAsync();
        }
    }
}
