using ExternalAction.Api.Support;
using ExternalAction.Store;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ExternalAction.Api.Tests.Support;

/// <summary>Support finds requests of every contract (issue 9): its own SQLite store, so other fixtures' counts stay theirs.</summary>
[TestFixture]
public sealed class SupportContractQueryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"support-contracts-{Guid.NewGuid():N}.db");
    private ServiceProvider _services = null!;
    private StatusStore _store = null!;
    private StatusQueries _queries = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ExternalAction:Store:ConnectionString"] = $"Data Source={_file}" })
            .Build();
        _services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddStatusStore().BuildServiceProvider();
        _store = _services.GetRequiredService<StatusStore>();
        _queries = _services.GetRequiredService<StatusQueries>();
        await _store.MigrateAsync(default);
        await _store.InsertReceivedAsync([new NewRequest
        {
            RequestId = "b2b-handler-1", ActionName = "slack", ActionVersion = "1", EntityType = "lead", LeadId = "501",
            ReceivedAt = T0, DeadlineAt = T0.AddHours(1),
        }], default);
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await _services.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
            File.Delete(_file + suffix);
    }

    [Test]
    public async Task A_request_of_another_contract_is_found_by_its_contact_key_contract_and_journey_instance()
    {
        await _store.InsertReceivedAsync([new NewRequest
        {
            RequestId = "sfmc-handler-1", ActionName = "slack", ActionVersion = "1", Contract = "sfmc", EntityType = "contact",
            ContactKey = "0031x00000Contact", JourneyId = "jb-1", JourneyInstanceId = "dii-77", ActivityId = "act-1",
            ReceivedAt = T0.AddMinutes(30), DeadlineAt = T0.AddHours(1),
        }], default);

        async Task<string[]> Ids(string? contract = null, string? entityId = null, string? journeyInstanceId = null) =>
            [.. ((Ok<RequestListView>)(await SupportApi.ListRequests(_queries, default, contract: contract, entityId: entityId, journeyInstanceId: journeyInstanceId)).Result).Value!.Items.Select(r => r.RequestId)];
        Assert.That(await Ids(entityId: "0031x00000Contact"), Is.EqualTo(new[] { "sfmc-handler-1" }));
        Assert.That(await Ids(contract: "sfmc"), Is.EqualTo(new[] { "sfmc-handler-1" }));
        Assert.That(await Ids(journeyInstanceId: "dii-77"), Is.EqualTo(new[] { "sfmc-handler-1" }));
        Assert.That(await Ids(contract: "ajo-b2b"), Does.Not.Contain("sfmc-handler-1").And.Not.Empty);
    }
}
