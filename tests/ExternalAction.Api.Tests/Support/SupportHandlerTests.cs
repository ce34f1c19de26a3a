using ExternalAction.Api.Support;
using ExternalAction.Contracts.Platform;
using ExternalAction.Store;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ExternalAction.Api.Tests.Support;

/// <summary>The support handlers called directly (no HTTP), over a real status store on a temporary SQLite file.</summary>
[TestFixture]
public sealed class SupportHandlerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);
    private string _file = null!;
    private ServiceProvider _services = null!;
    private StatusStore _store = null!;
    private StatusQueries _queries = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _file = Path.Combine(Path.GetTempPath(), $"support-handlers-{Guid.NewGuid():N}.db");
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ExternalAction:Store:ConnectionString"] = $"Data Source={_file}" })
            .Build();
        _services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddStatusStore().BuildServiceProvider();
        _store = _services.GetRequiredService<StatusStore>();
        _queries = _services.GetRequiredService<StatusQueries>();
        await _store.MigrateAsync(default);
        var rows = Enumerable.Range(0, 3).Select(i => new NewRequest
        {
            RequestId = $"req-handler-{i}", ActionName = i == 2 ? "sms" : "slack", ActionVersion = "1", EntityType = "lead",
            LeadId = $"{500 + i}", ReceivedAt = T0.AddMinutes(i), DeadlineAt = T0.AddHours(1),
        }).ToList();
        await _store.InsertReceivedAsync(rows, default);
        await _store.ClaimAsync(rows[0], "owner", T0, TimeSpan.FromMinutes(1), default);
        await _store.UpdateAsync(rows[0].RequestId, new StatusUpdate { Status = RequestStatuses.TimedOut, Detail = "deadline passed" }, "owner", default);
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
    public async Task A_known_request_is_returned_with_its_transitions_in_order()
    {
        var result = (await SupportApi.GetRequest("req-handler-0", _queries, default)).Result;
        var view = ((Ok<RequestView>)result).Value!;
        Assert.That(view.Request.Status, Is.EqualTo(RequestStatuses.TimedOut));
        Assert.That(view.Transitions.Select(t => t.ToStatus), Is.EqualTo(new[] { "Received", "Processing", "TimedOut" }));
        Assert.That(view.Transitions[^1].Detail, Is.EqualTo("deadline passed"));
    }

    [Test]
    public async Task An_unknown_request_is_a_404_contract_error()
    {
        var result = (JsonHttpResult<ErrorResponse>)(await SupportApi.GetRequest("req-missing", _queries, default)).Result;
        Assert.That(result.StatusCode, Is.EqualTo(StatusCodes.Status404NotFound));
        Assert.That(result.Value!.Code, Is.EqualTo(ErrorCodes.ResourceNotFound));
    }

    [Test]
    public async Task The_list_applies_the_filters()
    {
        var result = (await SupportApi.ListRequests(_queries, default, action: "slack", status: "Received")).Result;
        var view = ((Ok<RequestListView>)result).Value!;
        Assert.That(view.Items.Select(i => i.RequestId), Is.EqualTo(new[] { "req-handler-1" }));
        Assert.That(view.NextCursor, Is.Null);
    }

    [Test]
    public async Task A_full_page_carries_a_cursor_to_the_rest()
    {
        var first = ((Ok<RequestListView>)(await SupportApi.ListRequests(_queries, default, pageSize: 2, from: "2026-11-02T09:00:00Z")).Result).Value!;
        var rest = ((Ok<RequestListView>)(await SupportApi.ListRequests(_queries, default, pageSize: 2, from: "2026-11-02T09:00:00Z", cursor: first.NextCursor)).Result).Value!;
        Assert.That(first.Items.Concat(rest.Items).Select(i => i.RequestId), Is.EqualTo(new[] { "req-handler-2", "req-handler-1", "req-handler-0" }));
        Assert.That(rest.NextCursor, Is.Null);
    }

    [TestCase("status", "Done")]
    [TestCase("from", "not-a-date")]
    [TestCase("to", "31/12/2026")]
    [TestCase("pageSize", "501")]
    [TestCase("cursor", "bm90LWEtY3Vyc29y")]
    [TestCase("contract", "marketo")]
    public async Task A_bad_parameter_is_a_400_naming_it(string parameter, string value)
    {
        var response = await SupportApi.ListRequests(_queries, default,
            contract: parameter == "contract" ? value : null,
            status: parameter == "status" ? value : null,
            from: parameter == "from" ? value : null,
            to: parameter == "to" ? value : null,
            pageSize: parameter == "pageSize" ? int.Parse(value, System.Globalization.CultureInfo.InvariantCulture) : null,
            cursor: parameter == "cursor" ? value : null);
        var error = (JsonHttpResult<ErrorResponse>)response.Result;
        Assert.That(error.StatusCode, Is.EqualTo(StatusCodes.Status400BadRequest));
        Assert.That(error.Value!.Details!.Select(d => d.Field), Is.EqualTo(new[] { parameter }));
    }

    [Test]
    public async Task Counts_are_grouped_by_action_and_status_and_honour_the_window()
    {
        var all = ((Ok<CountsView>)(await SupportApi.Counts(_queries, default)).Result).Value!;
        Assert.That(all.Counts, Is.EquivalentTo(new[]
        {
            new StatusCount("slack", RequestStatuses.TimedOut, 1), new StatusCount("slack", RequestStatuses.Received, 1), new StatusCount("sms", RequestStatuses.Received, 1),
        }));
        var window = ((Ok<CountsView>)(await SupportApi.Counts(_queries, default, action: "slack", from: "2026-11-02T09:01:00Z")).Result).Value!;
        Assert.That(window.Counts, Is.EqualTo(new[] { new StatusCount("slack", RequestStatuses.Received, 1) }));
        var bad = (JsonHttpResult<ErrorResponse>)(await SupportApi.Counts(_queries, default, to: "soon")).Result;
        Assert.That(bad.StatusCode, Is.EqualTo(StatusCodes.Status400BadRequest));
    }
}
