using ExternalAction.Store.Activations;

namespace ExternalAction.Store.Tests.Activations;

[TestFixtureSource(typeof(StatusStoreTests), nameof(StatusStoreTests.Providers))]
public sealed class JourneyActivationsTests(string provider) : StoreSuite(provider)
{
    private JourneyActivations Activations => new(SqlDialect.For(Provider).CreateDataSource(Fixture.ConnectionString));

    private static JourneyActivation Call(string action, string journey, string version, string state, DateTimeOffset at) => new()
    {
        Contract = "sfmc", JourneyId = journey, JourneyVersion = version, ActivityId = "activity-1", ActionName = action,
        ActionVersion = "1", JourneyKey = "key-" + journey, State = state, UpdatedAt = at,
    };

    [Test]
    public async Task Publish_then_stop_of_one_journey_version_is_one_row_that_ends_stopped_with_both_times()
    {
        var action = "act-" + Guid.NewGuid().ToString("N")[..8];
        var published = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);
        var stopped = published.AddHours(2);
        await Activations.RecordAsync(Call(action, "j1", "1", JourneyActivations.Live, published), CancellationToken.None);
        await Activations.RecordAsync(Call(action, "j1", "2", JourneyActivations.Live, published), CancellationToken.None);
        await Activations.RecordAsync(Call(action, "j1", "1", JourneyActivations.Stopped, stopped) with { JourneyKey = null }, CancellationToken.None);

        var all = await Activations.ListAsync(action, null, CancellationToken.None);
        Assert.That(all.Select(a => (a.JourneyVersion, a.State)), Is.EqualTo(new[] { ("1", "stopped"), ("2", "live") }));
        var first = all[0];
        Assert.That((first.PublishedAt, first.StoppedAt, first.JourneyKey), Is.EqualTo((published, stopped, "key-j1")));
        var live = await Activations.ListAsync(action, JourneyActivations.Live, CancellationToken.None);
        Assert.That(live.Select(a => a.JourneyVersion), Is.EqualTo(new[] { "2" }));
    }
}
