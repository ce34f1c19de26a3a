using RabbitMQ.Client;

namespace ExternalAction.TestSupport;

/// <summary>The real RabbitMQ the tests use: the local node started by infra/rabbitmq.sh, or EXTERNALACTION_RABBITMQ_URL.</summary>
public static class RabbitMqBroker
{
    private static readonly SemaphoreSlim StartLock = new(1, 1);

    public static string Url => Environment.GetEnvironmentVariable("EXTERNALACTION_RABBITMQ_URL") is { Length: > 0 } url
        ? url
        : "amqp://guest:guest@127.0.0.1:5672/";

    /// <summary>Connects once; when nothing answers and no external broker is configured, starts the local node.</summary>
    public static async Task EnsureRunningAsync()
    {
        if (await ReachableAsync())
            return;
        await StartLock.WaitAsync();
        try
        {
            if (!await ReachableAsync())
                await ScriptAsync("start");
        }
        finally
        {
            StartLock.Release();
        }
    }

    public static async Task<bool> ReachableAsync()
    {
        try
        {
            var factory = new ConnectionFactory { Uri = new Uri(Url), RequestedConnectionTimeout = TimeSpan.FromSeconds(3) };
            await using var connection = await factory.CreateConnectionAsync();
            return connection.IsOpen;
        }
        catch (Exception e) when (e is RabbitMQ.Client.Exceptions.BrokerUnreachableException or IOException or System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    /// <summary>Runs <c>infra/rabbitmq.sh</c> with the given arguments.</summary>
    public static Task ScriptAsync(params string[] args) => InfraScript.RunAsync("rabbitmq.sh", args);

    /// <summary>
    /// The second local node (port 5673), for tests that stop and start their broker while other suites keep using
    /// the first. Not available with an external broker.
    /// </summary>
    public static class Second
    {
        public const string Url = "amqp://guest:guest@127.0.0.1:5673/";

        public static Task StartAsync() => RunAsync("start");

        public static Task StopAsync() => RunAsync("stop");

        // Without EXTERNALACTION_RABBITMQ_URL, or the script would leave the node alone.
        private static Task RunAsync(string verb) => InfraScript.RunAsync("rabbitmq.sh", [verb],
            new Dictionary<string, string?> { ["EXTERNALACTION_RABBITMQ_INSTANCE"] = "2", ["EXTERNALACTION_RABBITMQ_URL"] = null });
    }

    /// <summary>
    /// A local node of its own (infra/rabbitmq.sh instance <paramref name="Instance"/>: AMQP port 5671 + instance,
    /// distribution port 25671 + instance, data under /var/lib/rabbitmq/externalaction{instance}), for a suite that
    /// stops and starts its broker while every other suite, and other checkouts' suites, keep theirs. Not available with
    /// an external broker.
    /// </summary>
    public sealed record LocalNode(int Instance)
    {
        public string Url => $"amqp://guest:guest@127.0.0.1:{5671 + Instance}/";

        public Task StartAsync() => RunAsync("start");

        public Task StopAsync() => RunAsync("stop");

        private Task RunAsync(string verb) => InfraScript.RunAsync("rabbitmq.sh", [verb],
            new Dictionary<string, string?> { ["EXTERNALACTION_RABBITMQ_INSTANCE"] = Instance.ToString(System.Globalization.CultureInfo.InvariantCulture), ["EXTERNALACTION_RABBITMQ_URL"] = null });
    }
}
