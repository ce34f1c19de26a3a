using System.Net;
using System.Text;
using System.Text.Json;
using ExternalAction.TestSupport;
using RabbitMQ.Client;

namespace ExternalAction.Api.Tests.Intake;

/// <summary>With a real RabbitMQ: an accepted request is durably queued, whole, once, before the 200; support finds its row with no Processor running.</summary>
[TestFixture]
[NonParallelizable]
public sealed class IntakeRabbitMqTests
{
    private RabbitVirtualHost _vhost = null!;
    private ApiFactory _factory = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _vhost = await RabbitVirtualHost.CreateAsync();
        _factory = new ApiFactory(new Dictionary<string, string?> { ["ExternalAction:RabbitMq:Url"] = _vhost.Url });
        _client = _factory.CreateAuthenticatedClient();
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
        await _vhost.DisposeAsync();
    }

    [Test]
    public async Task An_accepted_request_is_queued_once_with_its_full_payload()
    {
        var request = SampleRequests.Lead(token: $"tok-{Guid.NewGuid():N}");
        using var response = await _client.PostAsync("/actions/lead-scoring/submitAsyncAction",
            new StringContent(request.ToJsonString(), Encoding.UTF8, "application/json"));
        var ack = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), ack.ToString());
        var requestId = ack.GetProperty("requestId").GetString();

        var factory = new ConnectionFactory { Uri = new Uri(_vhost.Url) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        // One persistent broker write per request: the processing queue is the only queue bound to the exchange.
        Assert.That(await RabbitQueues.MessagesInAsync(connection, "externalaction-status"), Is.Null, "no second (status) queue takes a copy");
        foreach (var queue in new[] { "externalaction-process" })
        {
            var got = await channel.BasicGetAsync(queue, autoAck: true);
            Assert.That(got, Is.Not.Null, $"nothing in {queue}");
            Assert.That(got!.BasicProperties.Persistent, Is.True, "messages are persistent");
            var envelope = JsonDocument.Parse(got.Body.ToArray()).RootElement;
            var message = envelope.GetProperty("message");
            Assert.That(message.GetProperty("requestId").GetString(), Is.EqualTo(requestId));
            Assert.That(message.GetProperty("actionName").GetString(), Is.EqualTo("lead-scoring"));
            var sent = message.GetProperty("request");
            Assert.That(sent.GetProperty("token").GetString(), Is.EqualTo(request["token"]!.GetValue<string>()));
            Assert.That(sent.GetProperty("callbackUrl").GetString(), Is.EqualTo(SampleRequests.CallbackUrl));
            Assert.That(sent.GetProperty("objectData").GetProperty("objectContext").GetProperty("leadData").GetProperty("email").GetString(), Is.EqualTo("jane@example.com"));
            Assert.That(sent.GetProperty("actionConfig").GetProperty("pathConfig").GetArrayLength(), Is.EqualTo(3));
            Assert.That(sent.GetProperty("context").GetProperty("admin").GetProperty("apiKey").GetString(), Is.EqualTo("admin-secret-api-key"));
            var deadline = message.GetProperty("deadline").GetDateTimeOffset() - message.GetProperty("receivedAt").GetDateTimeOffset();
            Assert.That(deadline, Is.EqualTo(TimeSpan.FromMinutes(60)));
        }
    }

    [Test]
    public async Task The_same_identity_twice_gets_the_same_request_id_and_another_entity_another()
    {
        var token = $"tok-{Guid.NewGuid():N}";
        async Task<string> Submit(string leadId)
        {
            var request = SampleRequests.Lead(token);
            request["objectData"]!["objectContext"]!["leadId"] = leadId;
            using var response = await _client.PostAsync("/actions/lead-scoring/submitAsyncAction",
                new StringContent(request.ToJsonString(), Encoding.UTF8, "application/json"));
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("requestId").GetString()!;
        }

        var first = await Submit("111");
        var again = await Submit("111");
        var other = await Submit("222");
        Assert.That(again, Is.EqualTo(first));
        Assert.That(other, Is.Not.EqualTo(first));
    }

    [Test]
    public async Task Support_finds_an_acknowledged_request_soon_after_its_answer_while_no_processor_runs()
    {
        var request = SampleRequests.Lead(token: $"tok-{Guid.NewGuid():N}");
        request["objectData"]!["objectContext"]!["leadId"] = Random.Shared.Next(100_000, int.MaxValue).ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var response = await _client.PostAsync("/actions/lead-scoring/submitAsyncAction",
            new StringContent(request.ToJsonString(), Encoding.UTF8, "application/json"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var requestId = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("requestId").GetString()!;

        using var support = _factory.CreateClient();
        support.DefaultRequestHeaders.Add("X-Support-Key", ApiFactory.SupportKey);
        // The row writer's batches are 50 ms; the bound leaves room for a loaded CI machine.
        var until = DateTime.UtcNow.AddSeconds(3);
        HttpStatusCode found;
        string body;
        while (true)
        {
            using var lookup = await support.GetAsync($"/support/requests/{requestId}");
            (found, body) = (lookup.StatusCode, await lookup.Content.ReadAsStringAsync());
            if (found == HttpStatusCode.OK || DateTime.UtcNow > until)
                break;
            await Task.Delay(50);
        }
        Assert.That(found, Is.EqualTo(HttpStatusCode.OK), $"support still answered {found} for {requestId} 3 s after its 200");
        var row = JsonDocument.Parse(body).RootElement.GetProperty("request");
        Assert.That(row.GetProperty("status").GetString(), Is.EqualTo("Received"));
        Assert.That(row.GetProperty("actionName").GetString(), Is.EqualTo("lead-scoring"));
        Assert.That(body, Does.Not.Contain(request["token"]!.GetValue<string>()), "the stored row never holds the callback token");
    }

    [Test]
    public async Task Status_is_healthy_while_the_broker_is_reachable()
    {
        using var response = await _client.GetAsync("/actions/lead-scoring/status");
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        Assert.That(await AdobeSchemas.ValidateStatusAsync(body), Is.Empty);
    }
}
