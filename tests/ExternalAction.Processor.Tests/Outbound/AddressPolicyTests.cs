using System.Net;
using ExternalAction.Processor.Outbound;

namespace ExternalAction.Processor.Tests.Outbound;

/// <summary>Finding 5 (issue 8): which resolved addresses an outbound connection may go to, v4, v6 and IPv4 inside IPv6.</summary>
public sealed class AddressPolicyTests
{
    private static readonly AddressPolicy Default = new([]);

    [TestCase("127.0.0.1", "loopback")]
    [TestCase("127.255.255.254", "loopback")]
    [TestCase("10.1.2.3", "private")]
    [TestCase("172.16.0.1", "private")]
    [TestCase("172.31.255.255", "private")]
    [TestCase("192.168.1.1", "private")]
    [TestCase("100.64.0.1", "carrier-grade NAT")]
    [TestCase("100.127.255.255", "carrier-grade NAT")]
    [TestCase("169.254.169.254", "link-local")]
    [TestCase("0.0.0.0", "unspecified")]
    [TestCase("224.0.0.1", "multicast")]
    [TestCase("239.255.255.250", "multicast")]
    [TestCase("255.255.255.255", "broadcast")]
    [TestCase("240.0.0.1", "reserved")]
    [TestCase("::1", "loopback")]
    [TestCase("::", "unspecified")]
    [TestCase("fe80::1", "link-local")]
    [TestCase("fe80::1%2", "link-local")]
    [TestCase("fc00::1", "unique local (private)")]
    [TestCase("fd12:3456::1", "unique local (private)")]
    [TestCase("fec0::1", "site-local")]
    [TestCase("ff02::1", "multicast")]
    [TestCase("::ffff:127.0.0.1", "loopback, as IPv4 inside IPv6")]
    [TestCase("::ffff:10.0.0.1", "private, as IPv4 inside IPv6")]
    [TestCase("::ffff:169.254.169.254", "link-local, as IPv4 inside IPv6")]
    [TestCase("::ffff:100.64.0.1", "carrier-grade NAT, as IPv4 inside IPv6")]
    [TestCase("::127.0.0.1", "loopback, as IPv4 inside IPv6")]
    [TestCase("::192.168.0.1", "private, as IPv4 inside IPv6")]
    [TestCase("64:ff9b::7f00:1", "loopback, as IPv4 inside IPv6")]
    public void An_internal_address_is_refused_naming_its_range(string address, string range) =>
        Assert.That(Default.BlockedRange(IPAddress.Parse(address)), Is.EqualTo(range));

    [TestCase("8.8.8.8")]
    [TestCase("93.184.216.34")]
    [TestCase("100.63.255.255")]
    [TestCase("100.128.0.0")]
    [TestCase("172.15.255.255")]
    [TestCase("172.32.0.0")]
    [TestCase("11.0.0.1")]
    [TestCase("2606:4700::1111")]
    [TestCase("2001:db8::1")]
    [TestCase("::ffff:8.8.8.8")]
    [TestCase("64:ff9b::808:808")]
    public void A_public_address_is_allowed(string address) =>
        Assert.That(Default.BlockedRange(IPAddress.Parse(address)), Is.Null);

    [TestCase("127.0.0.1")]
    [TestCase("127.1.2.3")]
    [TestCase("::ffff:127.0.0.1")]
    [TestCase("::127.0.0.1")]
    public void An_allowed_network_lets_its_addresses_through_in_every_form(string address)
    {
        var policy = new AddressPolicy([IPNetwork.Parse("127.0.0.0/8")]);
        Assert.That(policy.BlockedRange(IPAddress.Parse(address)), Is.Null);
    }

    [TestCase("::1")]
    [TestCase("10.0.0.1")]
    [TestCase("192.168.0.1")]
    public void An_allowed_network_allows_nothing_outside_itself(string address)
    {
        var policy = new AddressPolicy([IPNetwork.Parse("127.0.0.0/8")]);
        Assert.That(policy.BlockedRange(IPAddress.Parse(address)), Is.Not.Null);
    }

    [Test]
    public void An_allowed_ipv6_network_covers_ipv6_loopback()
    {
        var policy = AddressPolicy.From(new OutboundOptions { AllowedNetworks = ["::1/128", "10.20.0.0/16"] });
        Assert.Multiple(() =>
        {
            Assert.That(policy.BlockedRange(IPAddress.IPv6Loopback), Is.Null);
            Assert.That(policy.BlockedRange(IPAddress.Parse("10.20.3.4")), Is.Null);
            Assert.That(policy.BlockedRange(IPAddress.Parse("10.21.0.1")), Is.EqualTo("private"));
        });
    }
}
