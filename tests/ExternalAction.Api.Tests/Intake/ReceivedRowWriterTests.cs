using ExternalAction.TestSupport;
using ExternalAction.Api.Intake;
using ExternalAction.Contracts.Messaging;
using ExternalAction.Processor.Engine;
using ExternalAction.Processor.Processing;
using ExternalAction.Store;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace ExternalAction.Api.Tests.Intake;

/// <summary>
/// The Api's Received rows (the status queue's replacement): written in batches after the answer, flushed when the host
/// stops, and never holding up a request when the buffer is full. The real SQLite store of the Api host.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class ReceivedRowWriterTests
{
    private ApiFactory _factory = null!;

    [OneTimeSetUp]
    public void Start()
    {
        _factory = new ApiFactory();
        _ = _factory.CreateClient(); // builds the host: migrations run, the writer starts
    }

    [OneTimeTearDown]
    public void Stop() => _factory.Dispose();

    private ReceivedRowWriter NewWriter() => new(
        _factory.Services.GetRequiredService<ContractRegistry>(),
        _factory.Services.GetRequiredService<StatusStore>(),
        _factory.Services.GetRequiredService<StoreOutage>(),
        TimeProvider.System,
        NullLogger<ReceivedRowWriter>.Instance);

    /// <summary>A work item of a contract this host has no adapter for: its row comes from the envelope alone.</summary>
    private static ActionAccepted WorkItem(string requestId) => new()
    {
        RequestId = requestId,
        ActionName = "writer-test",
        ActionVersion = "1",
        Contract = "writer-test-contract",
        Identity = new WorkIdentity { EntityType = "person", ContactKey = "contact-1", JourneyId = "journey-writer" },
        ReceivedAt = DateTimeOffset.UtcNow,
        Deadline = DateTimeOffset.UtcNow.AddHours(1),
    };

    private async Task<RequestRecord?> RowAsync(string requestId) =>
        await _factory.Services.GetRequiredService<StatusQueries>().GetAsync(requestId, default);

    [Test]
    public async Task Every_buffered_row_is_written_received_in_batches_and_the_rest_on_stop()
    {
        var writer = NewWriter();
        await writer.StartAsync(default);
        var ids = Enumerable.Range(0, ReceivedRowWriter.BatchSize * 2 + 17).Select(i => $"writer-{Guid.NewGuid():N}-{i}").ToList();
        foreach (var id in ids)
            Assert.That(writer.Add(WorkItem(id)), Is.True);
        // Stopping completes the buffer and waits for it to drain: nothing that was buffered is left to the claims.
        await writer.StopAsync(default);

        foreach (var id in ids)
        {
            var row = await RowAsync(id);
            Assert.That(row, Is.Not.Null, id);
            Assert.That(row!.Status, Is.EqualTo(RequestStatuses.Received), id);
            Assert.That(row.JourneyId, Is.EqualTo("journey-writer"), id);
        }
        var history = await _factory.Services.GetRequiredService<StatusQueries>().GetTransitionsAsync(ids[0], default);
        Assert.That(history.Select(h => (h.FromStatus, h.ToStatus)), Is.EqualTo(new (string?, string)[] { (null, "Received") }));
    }

    [Test]
    public async Task A_row_a_processor_already_claimed_is_left_as_the_claim_made_it()
    {
        var id = $"claimed-{Guid.NewGuid():N}";
        var message = WorkItem(id);
        var row = _factory.Services.GetRequiredService<ContractRegistry>().Adapter(message).Row(message);
        var claim = await _factory.Services.GetRequiredService<StatusStore>().ClaimAsync(row, "owner-1", DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1), default);
        Assert.That(claim.Claimed, Is.True);

        var writer = NewWriter();
        await writer.StartAsync(default);
        writer.Add(message);
        await writer.StopAsync(default);

        Assert.That((await RowAsync(id))!.Status, Is.EqualTo(RequestStatuses.Processing), "the Api's late insert does not move the row back");
    }

    [Test]
    public void A_full_buffer_refuses_at_once_instead_of_holding_the_request()
    {
        var writer = NewWriter(); // not started: nothing drains the buffer
        for (var i = 0; i < ReceivedRowWriter.Capacity; i++)
            Assert.That(writer.Add(WorkItem($"full-{i}")), Is.True);
        Assert.That(writer.Add(WorkItem("one-too-many")), Is.False, "left to the Processor's claim");
    }

    [Test]
    public async Task A_request_accepted_on_the_endpoint_gets_its_row_without_a_processor()
    {
        using var client = _factory.CreateAuthenticatedClient();
        var request = SampleRequests.Lead(token: $"tok-{Guid.NewGuid():N}");
        request["objectData"]!["objectContext"]!["leadId"] = Random.Shared.Next(100_000, int.MaxValue).ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var response = await client.PostAsync("/actions/lead-scoring/submitAsyncAction",
            new StringContent(request.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
        var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.That((int)response.StatusCode, Is.EqualTo(200), body.ToString());
        var requestId = body.GetProperty("requestId").GetString()!;

        RequestRecord? row = null;
        var until = DateTime.UtcNow.AddSeconds(3);
        while ((row = await RowAsync(requestId)) is null && DateTime.UtcNow < until)
            await Task.Delay(50);
        Assert.That(row, Is.Not.Null, "the row was written within 3 s of the 200");
        Assert.That(row!.Status, Is.EqualTo(RequestStatuses.Received));
        Assert.That(row.RequestPayload, Does.Not.Contain(request["token"]!.GetValue<string>()), "the stored payload never holds the callback token");
    }
}
