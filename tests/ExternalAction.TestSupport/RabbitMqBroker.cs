using System.Diagnostics;
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

    /// <summary>Runs <c>infra/rabbitmq.sh</c> with the given arguments and fails with its output when it fails.</summary>
    public static async Task ScriptAsync(params string[] args)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(RabbitVirtualHost.RepositoryRoot(), "infra", "rabbitmq.sh"));
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        foreach (var (key, value) in Overrides)
            start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"infra/rabbitmq.sh {string.Join(' ', args)} failed ({process.ExitCode}): {await error}{await output}");
    }

    /// <summary>Environment for the script.</summary>
    internal static Dictionary<string, string> Overrides { get; } = [];

    /// <summary>
    /// The second local node (port 5673), for tests that stop and start their broker while other suites keep using
    /// the first. Not available with an external broker.
    /// </summary>
    public static class Second
    {
        public const string Url = "amqp://guest:guest@127.0.0.1:5673/";

        public static Task StartAsync() => RunAsync("start");

        public static Task StopAsync() => RunAsync("stop");

        private static async Task RunAsync(string verb)
        {
            var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(Path.Combine(RabbitVirtualHost.RepositoryRoot(), "infra", "rabbitmq.sh"));
            start.ArgumentList.Add(verb);
            start.Environment["EXTERNALACTION_RABBITMQ_INSTANCE"] = "2";
            start.Environment.Remove("EXTERNALACTION_RABBITMQ_URL");
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"infra/rabbitmq.sh {verb} (instance 2) failed ({process.ExitCode}): {await error}{await output}");
        }
    }
}
