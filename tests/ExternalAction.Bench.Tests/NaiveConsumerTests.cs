using System.Text.Json;
using System.Text.Json.Nodes;
using ExternalAction.Bench.Baseline;
using ExternalAction.Bench.EndToEnd;
using ExternalAction.Contracts.Messaging;
using ExternalAction.TestSupport;
using MassTransit;
using RabbitMQ.Client;

namespace ExternalAction.Bench.Tests;

/// <summary>
/// The naive consumer against the real broker: an <see cref="ActionAccepted"/> published by MassTransit (the envelope
/// our Api's bus writes) to a queue of the test's own, called back to the bench tool's sink.
/// </summary>
public sealed class NaiveConsumerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"Timed out waiting for {what}.");
            await Task.Delay(50);
        }
    }

    /// <summary>The v2 B2B fixture message, its callback pointed at <paramref name="sinkUrl"/>.</summary>
    private static ActionAccepted Message(string sinkUrl, string token, string requestId)
    {
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(Fixtures.Root, "messages", "action-accepted-v2-b2b.json")))!;
        json["requestId"] = requestId;
        json["request"]!["token"] = token;
        json["request"]!["callbackUrl"] = $"{sinkUrl}/callback/{token}";
        return json.Deserialize<ActionAccepted>(Web)!;
    }

    [Test]
    public async Task A_message_published_as_the_Api_does_is_delivered_called_back_and_acknowledged()
    {
        await using var vhost = await RabbitVirtualHost.CreateAsync();
        var queue = $"naive-test-{Guid.NewGuid():N}";
        var ledger = new CallbackLedger();
        await using var sink = await CallbackSink.StartAsync(0, ledger);
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(new Uri(vhost.Url));
            var exchange = cfg.MessageTopology.GetMessageTopology<ActionAccepted>().EntityName;
            cfg.Publish<ActionAccepted>(p => p.BindQueue(exchange, queue));
        });
        await bus.StartAsync();
        using var http = new HttpClient();
        var settings = new NaiveConsumerSettings(vhost.Url, queue, $"{sink.Url}/channel", new HashSet<string> { "lead-scoring" }, 8, 4,
            new HashSet<string> { "127.0.0.1" });
        await using var consumer = new NaiveConsumer(settings, http);
        using var stop = new CancellationTokenSource();
        try
        {
            await consumer.ConnectAsync(CancellationToken.None);
            // Started before the queue exists, as it is before the Api's first publish: it waits for it.
            var consuming = consumer.ConsumeAsync(stop.Token);
            var message = Message(sink.Url, "tok-naive-1", "req-naive-1");
            ledger.Sent(message.B2B.Token!, System.Diagnostics.Stopwatch.GetTimestamp());
            ledger.Acknowledged(message.B2B.Token!, message.RequestId);
            await bus.Publish(message, context =>
            {
                context.Durable = true;
                context.Headers.Set(AcceptedHeaders.RequestId, message.RequestId);
            });

            await WaitForAsync(() => consumer.CalledBack == 1, "the callback");
            var entry = ledger.Snapshot().Single();
            Assert.That(entry.Callbacks, Is.EqualTo(1));
            Assert.That(entry.RequestIdMismatch, Is.False, "X-Request-Id is the message's requestId");
            Assert.That(entry.ReportedFailure, Is.False, "the callback reports success");
            Assert.That(sink.ChannelCalls, Is.EqualTo(1), "lead-scoring has a channel call");

            // Something that is not an envelope is rejected (not requeued for ever), and the consumer carries on.
            var factory = new ConnectionFactory { Uri = new Uri(vhost.Url) };
            await using (var connection = await factory.CreateConnectionAsync())
            await using (var channel = await connection.CreateChannelAsync())
                await channel.BasicPublishAsync("", queue, "not json"u8.ToArray());
            await WaitForAsync(() => consumer.Unreadable == 1, "the unreadable message");
            await using (var connection = await factory.CreateConnectionAsync())
            await using (var channel = await connection.CreateChannelAsync())
            {
                var deadline = DateTime.UtcNow + Patience;
                while (await channel.MessageCountAsync(queue) > 0 && DateTime.UtcNow < deadline)
                    await Task.Delay(50);
                Assert.That(await channel.MessageCountAsync(queue), Is.Zero, "both messages left the queue (acknowledged, rejected)");
            }
            Assert.That(consumer.CalledBack, Is.EqualTo(1));
            Assert.That(consumer.Requeued, Is.Zero);
            await stop.CancelAsync();
            await consuming;
        }
        finally
        {
            await bus.StopAsync();
        }
    }

    [Test]
    public void The_callback_names_the_entity_of_each_type()
    {
        var message = Message("http://127.0.0.1:1", "t", "r");

        var callback = NaiveConsumer.CallbackBody(message);

        Assert.That(callback.ObjectData.Single().ActivityData.Success, Is.True);
        Assert.That(callback.ObjectData.Single().LeadData!.Id, Is.EqualTo(12345));
    }

    [Test]
    public async Task A_callback_url_outside_the_allowed_hosts_is_never_called()
    {
        using var http = new HttpClient(new RefusingHandler());
        var settings = new NaiveConsumerSettings("amqp://unused", "q", null, new HashSet<string>(), 1, 1, new HashSet<string> { "127.0.0.1" });
        await using var consumer = new NaiveConsumer(settings, http);
        var envelope = JsonSerializer.SerializeToUtf8Bytes(new { message = Message("http://169.254.169.254", "t", "r") }, Web);

        Assert.That(await consumer.HandleAsync(envelope, CancellationToken.None), Is.EqualTo(NaiveOutcome.Unreadable));
    }

    private sealed class RefusingHandler : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            throw new AssertionException($"No request may be sent, but {request.RequestUri} was.");
    }
}
