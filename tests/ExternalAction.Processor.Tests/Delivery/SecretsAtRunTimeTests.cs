using ExternalAction.Actions;
using ExternalAction.Processor.Delivery;
using ExternalAction.Processor.Outbound;
using ExternalAction.ServiceDefaults.Secrets;
using ExternalAction.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using static ExternalAction.Processor.Tests.TestMessages;

namespace ExternalAction.Processor.Tests.Delivery;

/// <summary>
/// Start-up refuses a channel whose secret is missing (tests/ExternalAction.Api.Tests/Actions/StartupValidationTests.cs);
/// a secret rotated away after start makes the delivery fail for good, once, with a reason that names the secret.
/// </summary>
public sealed class SecretsAtRunTimeTests
{
    private IConfigurationRoot _configuration = null!;
    private ServiceProvider _services = null!;

    [SetUp]
    public void Start()
    {
        _configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Secrets:rotated"] = "was-here" }).Build();
        _services = new ServiceCollection().AddSingleton<IConfiguration>(_configuration).AddLogging().AddChannelDelivery().BuildServiceProvider();
    }

    [TearDown]
    public void Stop() => _services.Dispose();

    [Test]
    public void Resolving_a_missing_secret_throws_MissingSecretException_naming_the_key()
    {
        var error = Assert.Throws<MissingSecretException>(() => new SecretResolver(_configuration).Resolve("absent"))!;
        Assert.That(error.SecretName, Is.EqualTo("absent"));
        Assert.That(error.Message, Does.Contain("'Secrets:absent'").And.Contain("'Secrets__absent'"));
    }

    public static IEnumerable<TestCaseData> Channels()
    {
        yield return new TestCaseData(new ChannelDefinition { Type = ChannelTypes.Webhook, Url = "https://hooks.example.com/in", Auth = new ChannelAuth { Type = ChannelAuthTypes.Bearer, Secret = "rotated" } })
            .SetName("Webhook auth secret");
        yield return new TestCaseData(new ChannelDefinition { Type = ChannelTypes.Slack, UrlSecret = "rotated", Text = "hi" }).SetName("Slack URL secret");
        yield return new TestCaseData(new ChannelDefinition { Type = ChannelTypes.Twilio, AccountSid = "AC1", AuthTokenSecret = "rotated", From = "+15550001", To = "+15550002", Text = "hi" })
            .SetName("Twilio auth token secret");
    }

    [TestCaseSource(nameof(Channels))]
    public async Task A_secret_rotated_away_after_start_fails_the_delivery_for_good_naming_the_secret(ChannelDefinition channel)
    {
        _configuration["Secrets:rotated"] = null;
        var result = await _services.GetRequiredService<ChannelDelivery>().DeliverAsync(Action("lead-scoring.json", channel), For(SampleRequests.Lead()), default);
        Assert.That(result.Failure, Is.EqualTo(FailureKind.Permanent), "a missing secret does not come back by retrying");
        Assert.That(result.StatusCode, Is.Null, "nothing was sent");
        Assert.That(result.Error, Is.EqualTo(MissingSecretException.Describe("rotated")));
    }
}
