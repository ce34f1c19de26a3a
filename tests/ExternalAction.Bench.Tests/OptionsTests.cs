using ExternalAction.Bench.Cli;

namespace ExternalAction.Bench.Tests;

public sealed class OptionsTests
{
    [Test]
    public void Names_take_the_following_value_and_flags_are_true()
    {
        var options = Options.Parse(["--api", "http://x", "--smoke", "--rate", "5"]);

        Assert.That(options.Require("api"), Is.EqualTo("http://x"));
        Assert.That(options.Smoke, Is.True);
        Assert.That(options.Number("rate", 1), Is.EqualTo(5));
        Assert.That(options.Get("missing", "fallback"), Is.EqualTo("fallback"));
    }

    [Test]
    public void Smoke_defaults_apply_only_to_options_not_given()
    {
        var options = Options.Parse(["--smoke", "--rate", "70"]);

        Assert.That(options.Number("rate", 1000, smoke: 50), Is.EqualTo(70));
        Assert.That(options.Seconds("duration", 10, smoke: 2), Is.EqualTo(TimeSpan.FromSeconds(2)));
        Assert.That(Options.Parse([]).Seconds("duration", 10, smoke: 2), Is.EqualTo(TimeSpan.FromSeconds(10)));
    }

    [Test]
    public void Lists_of_numbers_are_comma_separated()
    {
        Assert.That(Options.Parse(["--rates", "200, 500,1000"]).Numbers("rates", "1"), Is.EqualTo(new[] { 200d, 500, 1000 }));
    }

    [Test]
    public void Bad_input_names_the_option()
    {
        Assert.That(() => Options.Parse(["--rate", "fast"]).Number("rate", 1), Throws.ArgumentException.With.Message.Contains("--rate"));
        Assert.That(() => Options.Parse([]).Require("api"), Throws.ArgumentException.With.Message.Contains("--api"));
        Assert.That(() => Options.Parse(["stray"]), Throws.ArgumentException.With.Message.Contains("stray"));
    }

    [Test]
    public void Credentials_are_masked_in_what_is_recorded()
    {
        var recorded = Options.Parse(["--key", "k1", "--support-key", "k2", "--pg", "Password=p", "--rabbit", "amqp://u:p@h/", "--rate", "5"]).ForRecord();

        Assert.That(recorded.Where(p => p.Key != "rate").Select(p => p.Value), Has.All.EqualTo("***"));
        Assert.That(recorded["rate"], Is.EqualTo("5"));
    }
}
