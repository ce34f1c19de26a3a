using ExternalAction.Processor.Retries;
using ExternalAction.ServiceDefaults.Messaging;
using ExternalAction.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;

namespace ExternalAction.Processor.Tests.Messaging;

/// <summary>
/// Upgrading from a release with a status queue: the Processor deletes that queue (and its error queue), which would
/// otherwise take a copy of every request for ever, and leaves the processing queue alone. Real RabbitMQ.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class LegacyStatusQueueTests
{
    private RabbitVirtualHost _vhost = null!;

    [SetUp]
    public async Task Start() => _vhost = await RabbitVirtualHost.CreateAsync();

    [TearDown]
    public async Task Stop() => await _vhost.DisposeAsync();

    [Test]
    public async Task The_earlier_release_status_queues_are_deleted_and_the_processing_queue_keeps_its_messages()
    {
        await using var connection = await new ConnectionFactory { Uri = new Uri(_vhost.Url) }.CreateConnectionAsync();
        await using (var channel = await connection.CreateChannelAsync())
        {
            // The topology an earlier release left: both queues bound to one fanout exchange, a message in each.
            await channel.ExchangeDeclareAsync("accepted", ExchangeType.Fanout, durable: true);
            foreach (var queue in new[] { QueueNames.Process, QueueNames.LegacyStatus, QueueNames.LegacyStatus + "_error" })
            {
                await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
                await channel.QueueBindAsync(queue, "accepted", "");
            }
            await channel.BasicPublishAsync("accepted", "", "{}"u8.ToArray());
        }

        var legacy = new LegacyStatusQueue(Options.Create(new MessagingOptions { Url = _vhost.Url }), TimeProvider.System, NullLogger<LegacyStatusQueue>.Instance);
        await legacy.StartAsync(default);
        await legacy.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.That(await MessagesInAsync(connection, QueueNames.LegacyStatus), Is.Null, "the status queue is gone");
        Assert.That(await MessagesInAsync(connection, QueueNames.LegacyStatus + "_error"), Is.Null, "and its error queue");
        Assert.That(await MessagesInAsync(connection, QueueNames.Process), Is.EqualTo(1), "the processing queue keeps its message");
    }

    [Test]
    public async Task A_broker_without_them_is_left_as_it_is()
    {
        Assert.That(await LegacyStatusQueue.DeleteAsync(new MessagingOptions { Url = _vhost.Url }, default), Is.Zero);
        await using var connection = await new ConnectionFactory { Uri = new Uri(_vhost.Url) }.CreateConnectionAsync();
        Assert.That(await MessagesInAsync(connection, QueueNames.LegacyStatus), Is.Null, "deleting does not create it");
    }

    private static Task<uint?> MessagesInAsync(IConnection connection, string queue) => RabbitQueues.MessagesInAsync(connection, queue);
}
