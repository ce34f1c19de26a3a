using System.Net;
using System.Text;
using System.Text.Json;
using ExternalAction.TestSupport;
using RabbitMQ.Client;

namespace ExternalAction.Api.Tests.Intake;

/// <summary>With a real RabbitMQ: an accepted request is durably queued, whole, on both queues, before the 200.</summary>
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
    public async Task An_accepted_request_is_in_both_queues_with_its_full_payload()
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
        foreach (var queue in new[] { "externalaction-process", "externalaction-status" })
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
    public async Task Status_is_healthy_while_the_broker_is_reachable()
    {
        using var response = await _client.GetAsync("/actions/lead-scoring/status");
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        Assert.That(await AdobeSchemas.ValidateStatusAsync(body), Is.Empty);
    }
}
