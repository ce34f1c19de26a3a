using ExternalAction.ServiceDefaults.Messaging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ExternalAction.Processor.Tests.Messaging;

/// <summary><c>ExternalAction:RabbitMq:ClusterNodes</c>: what a node may look like, and start-up refusing anything else.</summary>
public sealed class ClusterNodesTests
{
    [TestCase("rabbit-1:5672", "rabbit-1", 5672)]
    [TestCase("127.0.0.1:5676", "127.0.0.1", 5676)]
    [TestCase("rabbit-2", "rabbit-2", null)]
    [TestCase("rabbit.example.com:5671", "rabbit.example.com", 5671)]
    public void A_node_is_a_host_and_an_optional_port(string node, string host, int? port) =>
        Assert.That(MessagingOptions.ParseNode(node), Is.EqualTo((host, port)));

    [TestCase("rabbit-1:")]
    [TestCase("rabbit-1:0")]
    [TestCase("rabbit-1:65536")]
    [TestCase("rabbit-1:56x")]
    [TestCase("amqp://rabbit-1:5672")]
    [TestCase("rabbit 1:5672")]
    [TestCase("")]
    public void Anything_else_is_refused(string node) =>
        Assert.Throws<FormatException>(() => MessagingOptions.ParseNode(node));

    [Test]
    public void The_endpoints_follow_the_url_scheme()
    {
        var plain = BrokerConnections.Endpoints(new MessagingOptions { Url = "amqp://u:p@a:5672/v", ClusterNodes = ["a:5672", "b"] });
        Assert.That(plain.Select(e => (e.HostName, e.Port, e.Ssl.Enabled)), Is.EqualTo(new[] { ("a", 5672, false), ("b", 5672, false) }));
        var tls = BrokerConnections.Endpoints(new MessagingOptions { Url = "amqps://u:p@a/v", ClusterNodes = ["a", "b:6000"] });
        Assert.That(tls.Select(e => (e.HostName, e.Port, e.Ssl.Enabled, e.Ssl.ServerName)), Is.EqualTo(new[] { ("a", 5671, true, "a"), ("b", 6000, true, "b") }));
        Assert.That(BrokerConnections.Endpoints(new MessagingOptions { Url = "amqp://a/" }), Is.Empty);
    }

    [TestCase("amqp://guest:guest@127.0.0.1:5676/v", "127.0.0.1:5676,not a node", "ClusterNodes must each be host:port")]
    [TestCase("", "127.0.0.1:5676", "ClusterNodes needs ExternalAction:RabbitMq:Url")]
    public void Start_up_refuses_a_bad_node_list(string url, string nodes, string message)
    {
        var builder = Host.CreateApplicationBuilder();
        var settings = new Dictionary<string, string?> { ["ExternalAction:RabbitMq:Url"] = url };
        var list = nodes.Split(',');
        for (var i = 0; i < list.Length; i++)
            settings[$"ExternalAction:RabbitMq:ClusterNodes:{i}"] = list[i];
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddExternalActionBus();
        using var provider = builder.Services.BuildServiceProvider();
        var error = Assert.Throws<OptionsValidationException>(() => _ = provider.GetRequiredService<IOptions<MessagingOptions>>().Value);
        Assert.That(error!.Message, Does.Contain(message));
    }
}
