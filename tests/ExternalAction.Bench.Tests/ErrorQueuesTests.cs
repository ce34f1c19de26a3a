using System.Text;
using ExternalAction.Bench.EndToEnd;
using ExternalAction.TestSupport;
using RabbitMQ.Client;

namespace ExternalAction.Bench.Tests;

/// <summary>The fuzz drill's check of MassTransit's _error queues (finding 19): what a faulted message is matched by, and what counts as lost.</summary>
public sealed class ErrorQueuesTests
{
    private static FaultedMessage Message(string body = "", string? messageId = null, Dictionary<string, string>? headers = null, string queue = "externalaction-process_error") =>
        new(queue, messageId, headers ?? new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase), body);

    [Test]
    public void A_faulted_message_is_matched_by_a_request_id_header_then_by_its_message_id_then_by_its_body()
    {
        var header = Message(headers: new(StringComparer.OrdinalIgnoreCase) { ["ExternalAction-RequestId"] = "from-header", ["MT-Fault-Message"] = "boom" },
            body: """{"message":{"requestId":"from-body"}}""");
        var messageId = Message(messageId: ErrorQueues.MessageIdOf("acked-1").ToString(), body: """{"message":{ {"requestId":"from-body"}""");
        // The body the Processor could not parse still names its request.
        var body = Message(body: """{"messageId":"x","message":{"requestId": "from-body","objectData":{ {'{' broken""");
        var unknown = Message(messageId: Guid.NewGuid().ToString(), body: "\u0001binary");

        var identified = ErrorQueues.Identify([header, messageId, body, unknown], ["acked-1", "acked-2"]);

        Assert.That(identified.Select(m => m.RequestId), Is.EqualTo(new[] { "from-header", "acked-1", "from-body", null }));
    }

    [Test]
    public void A_message_without_a_status_row_or_whose_request_cannot_be_told_counts_against_the_run()
    {
        var messages = ErrorQueues.Identify(
            [Message("""{"requestId":"has-row"}"""), Message("""{"requestId":"no-row"}""", queue: "externalaction-status_error"), Message("garbage")], []);

        var checkedRows = ErrorQueues.Account(messages, new Dictionary<string, string> { ["has-row"] = "Failed" });
        var notChecked = ErrorQueues.Account(messages, statuses: null);

        Assert.That(checkedRows.ByQueue, Is.EqualTo(new Dictionary<string, long> { ["externalaction-process_error"] = 2, ["externalaction-status_error"] = 1 }));
        Assert.That((checkedRows.Identified, checkedRows.WithRow), Is.EqualTo((2L, 1L)));
        Assert.That(checkedRows.WithoutRow.Select(m => m.RequestId), Is.EqualTo(new[] { "no-row", null }));
        Assert.That(notChecked.WithoutRow, Has.Count.EqualTo(3), "without the status table no message can be shown to have a row");
    }

    [Test]
    public async Task Reading_the_error_queues_takes_nothing_off_them_and_a_missing_queue_is_empty()
    {
        await using var vhost = await RabbitVirtualHost.CreateAsync();
        var factory = new ConnectionFactory { Uri = new Uri(vhost.Url) };
        await using (var connection = await factory.CreateConnectionAsync())
        await using (var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true)))
        {
            await channel.QueueDeclareAsync("externalaction-process_error", durable: true, exclusive: false, autoDelete: false);
            for (var i = 0; i < 3; i++)
            {
                var properties = new BasicProperties
                {
                    MessageId = ErrorQueues.MessageIdOf($"req-{i}").ToString(),
                    Headers = new Dictionary<string, object?> { ["MT-Fault-Message"] = Encoding.UTF8.GetBytes($"'{{' is an invalid start of a property name ({i})") },
                };
                await channel.BasicPublishAsync("", "externalaction-process_error", mandatory: true, properties, Encoding.UTF8.GetBytes($"body {i}"));
            }
        }

        var first = await ErrorQueues.ReadAsync(vhost.Url, ErrorQueues.Default);
        var second = await ErrorQueues.ReadAsync(vhost.Url, ErrorQueues.Default);

        Assert.That(first.Select(m => (m.Queue, m.Body)), Is.EqualTo(Enumerable.Range(0, 3).Select(i => ("externalaction-process_error", $"body {i}"))));
        Assert.That(first[1].Fault, Is.EqualTo("'{' is an invalid start of a property name (1)"));
        Assert.That(ErrorQueues.Identify(first, ["req-0", "req-1", "req-2"]).Select(m => m.RequestId), Is.EqualTo(new[] { "req-0", "req-1", "req-2" }));
        Assert.That(second.Select(m => m.Body), Is.EqualTo(first.Select(m => m.Body)), "the first read put every message back");
    }
}
