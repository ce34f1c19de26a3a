
namespace ExternalAction.TestSupport;

/// <summary>
/// A RabbitMQ virtual host of its own for one test fixture, so suites that run at the same time (dotnet test runs
/// assemblies in parallel) never share the service's fixed queue names. Created with <c>rabbitmqctl</c> through
/// <c>infra/rabbitmq.sh ctl</c> on the local broker; with an external broker (<c>EXTERNALACTION_RABBITMQ_URL</c>) its
/// URL is used as it is and the suites must not run concurrently against it.
/// </summary>
public sealed class RabbitVirtualHost : IAsyncDisposable
{
    private RabbitVirtualHost(string name, string url, bool owned)
    {
        Name = name;
        Url = url;
        _owned = owned;
    }

    private readonly bool _owned;

    public string Name { get; }

    /// <summary>AMQP URL of this virtual host (guest/guest on 127.0.0.1).</summary>
    public string Url { get; }

    public static async Task<RabbitVirtualHost> CreateAsync()
    {
        var external = Environment.GetEnvironmentVariable("EXTERNALACTION_RABBITMQ_URL");
        if (!string.IsNullOrWhiteSpace(external))
            return new RabbitVirtualHost("", external, owned: false);

        await RabbitMqBroker.EnsureRunningAsync();
        var name = $"test-{Guid.NewGuid():N}"[..20];
        await CtlAsync("add_vhost", name);
        await CtlAsync("set_permissions", "-p", name, "guest", ".*", ".*", ".*");
        return new RabbitVirtualHost(name, $"amqp://guest:guest@127.0.0.1:5672/{name}", owned: true);
    }

    public async ValueTask DisposeAsync()
    {
        if (_owned)
            await CtlAsync("delete_vhost", Name);
    }

    /// <summary>Runs <c>rabbitmqctl</c> with the environment the repository's broker uses.</summary>
    public static Task CtlAsync(params string[] args) => InfraScript.RunAsync("rabbitmq.sh", ["ctl", .. args]);

    /// <summary>The folder holding ExternalAction.sln, found by walking up from the test binaries.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ExternalAction.sln")))
                return dir.FullName;
        throw new InvalidOperationException("ExternalAction.sln not found above " + AppContext.BaseDirectory);
    }
}
