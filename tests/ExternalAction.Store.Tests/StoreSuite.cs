namespace ExternalAction.Store.Tests;

/// <summary>
/// A suite that runs on one provider (with <c>[TestFixtureSource(typeof(StatusStoreTests), nameof(StatusStoreTests.Providers))]</c>):
/// a fresh, migrated store created once for its tests and dropped after them.
/// </summary>
public abstract class StoreSuite(string provider)
{
    protected string Provider => provider;
    protected StoreFixture Fixture { get; private set; } = null!;
    protected StatusStore Store => Fixture.Store;
    protected StatusQueries Queries => Fixture.Queries;

    [OneTimeSetUp]
    public async Task CreateStore() => Fixture = await StoreFixture.CreateAsync(provider);

    [OneTimeTearDown]
    public async Task DropStore()
    {
        if (Fixture is not null)
            await Fixture.DisposeAsync();
    }
}
