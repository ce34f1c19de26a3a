using System.Text;
using System.Text.Json.Nodes;
using ExternalAction.Contracts.Messaging;
using ExternalAction.TestSupport;
using RabbitMQ.Client;

namespace ExternalAction.EndToEnd.Tests;

/// <summary>
/// What the Api accepts, the Processor can always read, through the real RabbitMQ bus: requests with fields this
/// service does not know, of every JSON type, at every object level of all three entity types, each end in a final
/// status row and one schema-valid callback, and nothing lands in an <c>_error</c> queue.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class UnknownFieldsTests
{
    private const int SeedsPerEntity = 8;
    private EndToEndEnvironment _env = null!;

    [OneTimeSetUp]
    public async Task Start() => _env = await EndToEndEnvironment.StartAsync();

    [OneTimeTearDown]
    public async Task Stop() => await _env.DisposeAsync();

    private static IEnumerable<TestCaseData> Entities()
    {
        yield return new TestCaseData("lead-scoring", "lead").SetName("Leads_with_unknown_fields_everywhere_are_called_back");
        yield return new TestCaseData("account-enrichment", "account").SetName("Accounts_with_unknown_fields_everywhere_are_called_back");
        yield return new TestCaseData("buying-group", "accountPerson").SetName("AccountPersons_with_unknown_fields_everywhere_are_called_back");
    }

    [TestCaseSource(nameof(Entities))]
    public async Task Requests_with_unknown_fields_everywhere_are_called_back(string action, string entity)
    {
        var submitted = new List<(int Seed, string RequestId, string CallbackPath, string NewTopLevelField)>();
        for (var seed = 1; seed <= SeedsPerEntity; seed++)
        {
            var callbackPath = $"/callback/unknown-{entity}-{seed}-{Guid.NewGuid():N}";
            var sample = entity switch
            {
                "lead" => SampleRequests.Lead($"tok-{Guid.NewGuid():N}", _env.WireUrl + callbackPath),
                "account" => SampleRequests.Account($"tok-{Guid.NewGuid():N}", _env.WireUrl + callbackPath),
                _ => SampleRequests.AccountPerson($"tok-{Guid.NewGuid():N}", _env.WireUrl + callbackPath),
            };
            var generator = new UnknownFields(seed * 7919 + entity.Length);
            var request = generator.AddEverywhere(sample);
            Assert.That(UnknownFields.Objects(request).Count(), Is.GreaterThan(5), "the generator reached the nested levels");
            var (status, body) = await _env.SubmitAsync(action, request);
            Assert.That(status, Is.EqualTo(200), $"seed {generator.Seed}: {body.RootElement}");
            var added = request.Select(p => p.Key).First(k => !sample.ContainsKey(k));
            submitted.Add((generator.Seed, body.RootElement.GetProperty("requestId").GetString()!, callbackPath, added));
        }

        foreach (var (seed, requestId, callbackPath, added) in submitted)
        {
            var view = await _env.WaitForFinalAsync(requestId);
            Assert.That(EndToEndEnvironment.StatusOf(view), Is.EqualTo("CallbackSent"), $"seed {seed}: {view}");
            var callback = _env.RequestsTo(callbackPath);
            Assert.That(callback, Has.Count.EqualTo(1), $"seed {seed}: one callback");
            Assert.That(await AdobeSchemas.ValidateAsync("CallbackRequest", callback[0].RequestMessage.Body!), Is.Empty, $"seed {seed}");
            Assert.That(JsonNode.Parse(EndToEndEnvironment.Row(view).GetProperty("requestPayload").GetString()!)!.AsObject().ContainsKey(added), Is.True,
                $"seed {seed}: the unknown field '{added}' is kept in the stored payload");
        }

        Assert.That(await MessageCountAsync("externalaction-process_error"), Is.Zero, "nothing faulted on the processing queue");
    }

    private Task<uint> MessageCountAsync(string queue) => Queues.MessageCountAsync(_env, queue);
}

/// <summary>A message that cannot be read (an incompatible release, a bug) ends Failed with the reason instead of vanishing.</summary>
[TestFixture]
[NonParallelizable]
public sealed class UnreadableMessageTests
{
    private EndToEndEnvironment _env = null!;

    [OneTimeSetUp]
    public async Task Start() => _env = await EndToEndEnvironment.StartAsync();

    [OneTimeTearDown]
    public async Task Stop() => await _env.DisposeAsync();

    [Test]
    public async Task A_message_the_processor_cannot_read_ends_failed_with_the_reason_and_support_finds_it()
    {
        var requestId = $"unreadable-{Guid.NewGuid():N}";
        long counted = 0;
        using var meters = new System.Diagnostics.Metrics.MeterListener();
        meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "ExternalAction.Processor" && instrument.Name == "externalaction.messages.unreadable")
                listener.EnableMeasurementEvents(instrument);
        };
        meters.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref counted, value));
        meters.Start();
        var now = DateTimeOffset.UtcNow;
        // An envelope as MassTransit writes it, whose request is not an object: what an incompatible release would send.
        var envelope = new JsonObject
        {
            ["messageId"] = Guid.NewGuid().ToString(),
            ["messageType"] = new JsonArray("urn:message:ExternalAction.Contracts.Messaging:ActionAccepted"),
            ["message"] = new JsonObject
            {
                ["requestId"] = requestId,
                ["actionName"] = "lead-scoring",
                ["actionVersion"] = "7",
                ["receivedAt"] = now.ToString("O"),
                ["deadline"] = now.AddHours(1).ToString("O"),
                ["request"] = "version 99 of the request",
            },
        };
        await PublishRawAsync(envelope.ToJsonString(), new Dictionary<string, object?>
        {
            [AcceptedHeaders.RequestId] = requestId,
            [AcceptedHeaders.ActionName] = "lead-scoring",
            [AcceptedHeaders.ActionVersion] = "7",
            [AcceptedHeaders.EntityType] = "lead",
            [AcceptedHeaders.ReceivedAt] = now.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
            [AcceptedHeaders.Deadline] = now.AddHours(1).ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

        var view = await _env.WaitForFinalAsync(requestId);
        var row = EndToEndEnvironment.Row(view);
        Assert.That(row.GetProperty("status").GetString(), Is.EqualTo("Failed"));
        Assert.That(row.GetProperty("lastError").GetString(), Does.Contain("could not be read"));
        Assert.That(row.GetProperty("actionName").GetString(), Is.EqualTo("lead-scoring"));
        Assert.That(await WaitForMessagesAsync("externalaction-process_error", 1), Is.EqualTo(1), "the unreadable copy waits in _error for a replay");
        Assert.That(Interlocked.Read(ref counted), Is.EqualTo(1), "the unreadable-messages metric counts the one copy");
    }

    private async Task PublishRawAsync(string body, Dictionary<string, object?> headers)
    {
        var factory = new ConnectionFactory { Uri = new Uri(_env.VirtualHost.Url) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var properties = new BasicProperties
        {
            ContentType = "application/vnd.masstransit+json",
            Persistent = true,
            MessageId = Guid.NewGuid().ToString(),
            Headers = headers,
        };
        await channel.BasicPublishAsync("ExternalAction.Contracts.Messaging:ActionAccepted", "", mandatory: true, properties, Encoding.UTF8.GetBytes(body));
    }

    private async Task<uint> WaitForMessagesAsync(string queue, uint expected)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        uint count;
        while ((count = await Queues.MessageCountAsync(_env, queue)) < expected && DateTime.UtcNow < until)
            await Task.Delay(100);
        return count;
    }
}

internal static class Queues
{
    public static async Task<uint> MessageCountAsync(EndToEndEnvironment env, string queue)
    {
        var factory = new ConnectionFactory { Uri = new Uri(env.VirtualHost.Url) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
        {
            return 0; // never declared: nothing ever faulted there
        }
    }
}
