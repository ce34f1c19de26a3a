using ExternalAction.Api.Intake;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Polly.CircuitBreaker;

namespace ExternalAction.Api.Tests.Intake;

/// <summary>The intake's breaker on its own: fed by the broker's connection state and by unconfirmed publishes, on a fake clock.</summary>
[TestFixture]
public sealed class IntakeBreakerTests
{
    private FakeTimeProvider _clock = null!;
    private IntakeBreaker _breaker = null!;
    private int _publishes;

    [SetUp]
    public void Create()
    {
        _clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-02T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        _breaker = new IntakeBreaker(Options.Create(new IntakeOptions { BreakAfterFailures = 4, BreakSeconds = 1 }), _clock, NullLogger<IntakeBreaker>.Instance);
        _publishes = 0;
    }

    private ValueTask<PublishResult> Publish(PublishResult answer) => _breaker.ExecuteAsync(_ =>
    {
        _publishes++;
        return ValueTask.FromResult(answer);
    }, CancellationToken.None);

    [Test]
    public async Task While_the_broker_is_known_down_no_publish_is_tried_and_every_answer_is_unavailable()
    {
        Assert.That(await Publish(PublishResult.Queued), Is.EqualTo(PublishResult.Queued));

        await _breaker.BrokerDownAsync("test");
        for (var i = 0; i < 20; i++)
            Assert.That(await Publish(PublishResult.Queued), Is.EqualTo(PublishResult.Unavailable));
        _clock.Advance(TimeSpan.FromMinutes(10));
        Assert.That(await Publish(PublishResult.Queued), Is.EqualTo(PublishResult.Unavailable), "isolation does not time out: only the connection's return ends it");
        Assert.That(_publishes, Is.EqualTo(1), "nothing reached the broker while it was down");
        Assert.That(_breaker.State, Is.EqualTo(CircuitState.Isolated));
    }

    [Test]
    public async Task When_the_connection_is_back_the_next_publish_goes_to_the_broker_without_waiting()
    {
        await _breaker.BrokerDownAsync("test");
        Assert.That(await Publish(PublishResult.Queued), Is.EqualTo(PublishResult.Unavailable));

        await _breaker.BrokerUpAsync();
        Assert.That(_breaker.State, Is.EqualTo(CircuitState.Closed));
        Assert.That(await Publish(PublishResult.Queued), Is.EqualTo(PublishResult.Queued), "no break duration to sit out: the clock did not move");
        Assert.That(_publishes, Is.EqualTo(1));
    }

    [Test]
    public async Task A_run_of_unconfirmed_publishes_opens_the_circuit_until_a_trial_succeeds()
    {
        for (var i = 0; i < 4; i++)
            Assert.That(await Publish(PublishResult.Unavailable), Is.EqualTo(PublishResult.Unavailable));
        Assert.That(_breaker.State, Is.EqualTo(CircuitState.Open));
        Assert.That(await Publish(PublishResult.Queued), Is.EqualTo(PublishResult.Unavailable), "refused at once while open");
        Assert.That(_publishes, Is.EqualTo(4));

        _clock.Advance(TimeSpan.FromMilliseconds(900));
        Assert.That(await Publish(PublishResult.Queued), Is.EqualTo(PublishResult.Unavailable), "still inside BreakSeconds");

        _clock.Advance(TimeSpan.FromMilliseconds(200));
        Assert.That(await Publish(PublishResult.Unavailable), Is.EqualTo(PublishResult.Unavailable), "the trial publish failed");
        Assert.That(_breaker.State, Is.EqualTo(CircuitState.Open));
        Assert.That(_publishes, Is.EqualTo(5));

        _clock.Advance(TimeSpan.FromSeconds(1.1));
        Assert.That(await Publish(PublishResult.Queued), Is.EqualTo(PublishResult.Queued), "a confirmed trial closes it");
        Assert.That(_breaker.State, Is.EqualTo(CircuitState.Closed));
    }

    [Test]
    public async Task Input_that_cannot_be_encoded_and_queued_publishes_never_open_it()
    {
        for (var i = 0; i < 20; i++)
        {
            Assert.That(await Publish(PublishResult.Unencodable), Is.EqualTo(PublishResult.Unencodable));
            Assert.That(await Publish(PublishResult.Queued), Is.EqualTo(PublishResult.Queued));
        }
        Assert.That(_breaker.State, Is.EqualTo(CircuitState.Closed));
    }

    [Test]
    public async Task Occasional_failures_among_confirmed_publishes_keep_it_closed()
    {
        for (var i = 0; i < 30; i++)
        {
            await Publish(i % 3 == 0 ? PublishResult.Unavailable : PublishResult.Queued);
            _clock.Advance(TimeSpan.FromMilliseconds(100));
        }
        Assert.That(_breaker.State, Is.EqualTo(CircuitState.Closed), "a third of publishes failing is below the 50 % ratio");
    }

    [Test]
    public async Task The_connection_coming_back_also_ends_a_break_opened_by_failures()
    {
        for (var i = 0; i < 4; i++)
            await Publish(PublishResult.Unavailable);
        Assert.That(_breaker.State, Is.EqualTo(CircuitState.Open));
        await _breaker.BrokerDownAsync("test");
        await _breaker.BrokerUpAsync();
        Assert.That(await Publish(PublishResult.Queued), Is.EqualTo(PublishResult.Queued));
    }
}
