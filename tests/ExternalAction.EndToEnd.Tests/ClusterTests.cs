using System.Collections.Concurrent;
using ExternalAction.TestSupport;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace ExternalAction.EndToEnd.Tests;

/// <summary>
/// Issue 14's clustered-broker drill as a test: a three-node RabbitMQ cluster on this host (infra/rabbitmq-cluster.sh),
/// quorum queues, the Api and the Processor given every node. The node both are connected to stops while requests
/// arrive, then starts again: every acknowledged request reaches its final status with exactly one delivery and one
/// callback, and the intake never refuses while two of three nodes (a quorum) are up.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class ClusterTests
{
    private static readonly string[] Nodes = ["127.0.0.1:5676", "127.0.0.1:5677", "127.0.0.1:5678"];
    private EndToEndEnvironment _env = null!;
    private string _vhost = "";

    [OneTimeSetUp]
    public async Task Start()
    {
        await Cluster("start");
        _vhost = $"cluster-{Guid.NewGuid():N}"[..20];
        await Cluster("ctl", "add_vhost", _vhost);
        await Cluster("ctl", "set_permissions", "-p", _vhost, "guest", ".*", ".*", ".*");
        _env = await EndToEndEnvironment.StartAsync(tweak: settings =>
        {
            settings["ExternalAction:RabbitMq:Url"] = $"amqp://guest:guest@{Nodes[0]}/{_vhost}";
            for (var i = 0; i < Nodes.Length; i++)
                settings[$"ExternalAction:RabbitMq:ClusterNodes:{i}"] = Nodes[i];
            settings["ExternalAction:RabbitMq:QuorumQueues"] = "true";
        });
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await _env.DisposeAsync();
        // Every node up again (a failed test may have left one down), then the test's virtual host goes.
        await Cluster("start-node", "1");
        await Cluster("ctl", "delete_vhost", _vhost);
    }

    [Test]
    public async Task Stopping_the_connected_node_loses_and_duplicates_nothing()
    {
        var accepted = new ConcurrentBag<(string RequestId, string Scenario)>();
        var refused = new ConcurrentBag<string>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var sending = new CancellationTokenSource();
        var sender = Task.Run(async () =>
        {
            var n = 0;
            while (!sending.IsCancellationRequested)
            {
                var scenario = $"cluster-{n++}-{Guid.NewGuid():N}";
                var request = SampleRequests.Lead($"tok-{scenario}", $"{_env.WireUrl}/callback/{scenario}");
                request["objectData"]!["flowStepContext"]!["scenario"] = scenario;
                var sent = clock.Elapsed;
                var (status, body) = await _env.SubmitAsync("lead-scoring", request);
                if (status == 200)
                    accepted.Add((body.RootElement.GetProperty("requestId").GetString()!, scenario));
                else
                    refused.Add($"{status} sent at {sent.TotalSeconds:0.00} s, answered at {clock.Elapsed.TotalSeconds:0.00} s: {body.RootElement}");
                await Task.Delay(20);
            }
        });

        await Waiting.UntilAsync(() => accepted.Count >= 20, TimeSpan.FromSeconds(60), () => "requests accepted before the stop");
        var stoppingAt = clock.Elapsed;
        await Cluster("stop-node", "1");
        var atStop = accepted.Count;
        TestContext.Out.WriteLine($"node 1 stopping at {stoppingAt.TotalSeconds:0.00} s, stopped at {clock.Elapsed.TotalSeconds:0.00} s");
        await Waiting.UntilAsync(() => accepted.Count >= atStop + 20, TimeSpan.FromSeconds(90), () => $"requests accepted while node 1 is down (refused meanwhile: {string.Join(" | ", refused.Take(5))})");
        await Cluster("start-node", "1");
        var atStart = accepted.Count;
        await Waiting.UntilAsync(() => accepted.Count >= atStart + 10, TimeSpan.FromSeconds(60), () => "requests accepted after node 1 is back");
        await sending.CancelAsync();
        await sender;

        foreach (var (requestId, _) in accepted)
            Assert.That(EndToEndEnvironment.StatusOf(await _env.WaitForFinalAsync(requestId, TimeSpan.FromSeconds(120))), Is.EqualTo("CallbackSent"), requestId);
        var lost = accepted.Where(a => _env.RequestsTo($"/channel/{a.Scenario}").Count == 0).ToList();
        var duplicated = accepted.Where(a => _env.RequestsTo($"/channel/{a.Scenario}").Count > 1 || _env.RequestsTo($"/callback/{a.Scenario}").Count > 1).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(accepted.Select(a => _env.RequestsTo($"/callback/{a.Scenario}").Count), Is.All.EqualTo(1), "one callback per acknowledged request");
            Assert.That(lost, Is.Empty, "acknowledged requests never delivered");
            Assert.That(duplicated, Is.Empty, "requests delivered or called back twice");
            Assert.That(refused, Is.Empty, "the intake refused requests while a quorum of nodes was up");
        });
        TestContext.Out.WriteLine($"{accepted.Count} acknowledged ({atStop} before the stop, {atStart - atStop} while node 1 was down), 0 refused, 0 lost, 0 duplicated.");
    }

    [Test]
    public async Task A_transient_channel_failure_is_retried_through_the_quorum_wait_queues()
    {
        var scenario = $"cluster-retry-{Guid.NewGuid():N}";
        var flow = Guid.NewGuid().ToString("N");
        _env.Wire.Given(Request.Create().WithPath($"/channel/{scenario}").UsingPost()).InScenario(flow)
            .WillSetStateTo("recovered").RespondWith(Response.Create().WithStatusCode(503));
        _env.Wire.Given(Request.Create().WithPath($"/channel/{scenario}").UsingPost()).InScenario(flow).WhenStateIs("recovered")
            .RespondWith(Response.Create().WithStatusCode(200).WithBodyAsJson(new { score = 55, tier = "warm" }));
        var request = SampleRequests.Lead($"tok-{scenario}", $"{_env.WireUrl}/callback/{scenario}");
        request["objectData"]!["flowStepContext"]!["scenario"] = scenario;
        var requestId = await _env.AcceptedAsync("lead-scoring", request);

        var final = await _env.WaitForFinalAsync(requestId, TimeSpan.FromSeconds(60));
        Assert.That(EndToEndEnvironment.StatusOf(final), Is.EqualTo("CallbackSent"));
        Assert.That(_env.RequestsTo($"/channel/{scenario}"), Has.Count.EqualTo(2), "the failed attempt and the retry");
        Assert.That(_env.RequestsTo($"/callback/{scenario}"), Has.Count.EqualTo(1));
    }

    private static Task Cluster(params string[] args) => InfraScript.RunAsync("rabbitmq-cluster.sh", args);

}
