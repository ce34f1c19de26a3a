using ExternalAction.Processor.Rules;

namespace ExternalAction.Processor.Tests.Rules;

/// <summary>The normal forms the suppression list and address caps match on: however it was typed, one address is one key.</summary>
[TestFixture]
public sealed class AddressesTests
{
    [TestCase("sms", "+1 (415) 555-0100", "+14155550100")]
    [TestCase("sms", "415.555.0100", "+14155550100", TestName = "A US number without country code reads in the default region")]
    [TestCase("sms", "+44 20 7946 0958", "+442079460958")]
    [TestCase("sms", "00 44 20 7946 0958", null, TestName = "An international prefix is not a country code in the default region")]
    [TestCase("sms", "call me", null)]
    [TestCase("sms", "", null)]
    [TestCase("email", "  Jane.Doe@Example.COM ", "jane.doe@example.com")]
    [TestCase("email", "not-an-address", null)]
    [TestCase("email", "jane doe@example.com", null)]
    [TestCase("slack", "#Marketing-Alerts", "marketing-alerts")]
    [TestCase("slack", "C012AB3CD", "c012ab3cd")]
    [TestCase("contact", " 0031x00000AbCdE ", "0031x00000AbCdE", TestName = "Contact ids keep their case (Salesforce ids are case-sensitive)")]
    [TestCase("pigeon", "anything", null)]
    public void Normal_form(string kind, string raw, string? expected) =>
        Assert.That(Addresses.Normalize(kind, raw), Is.EqualTo(expected));
}
