using System.Net;
using Agor.Daemon.Egress;

namespace Agor.Daemon.Tests.Egress;

/// <summary>The allowed_hosts entries and the policy's decisions on resolved addresses.</summary>
public sealed class AllowedHostTests
{
    [Theory]
    [InlineData("registry.npmjs.org", "registry.npmjs.org", 443, true)]
    [InlineData("registry.npmjs.org", "evil-registry.npmjs.org.attacker.com", 443, false)]
    [InlineData("github.com:443", "github.com", 22, false)]
    [InlineData("*.github.com", "api.github.com", 443, true)]
    [InlineData("*.github.com", "github.com", 443, false)]
    [InlineData("*.github.com", "evilgithub.com", 443, false)]
    [InlineData("203.0.113.0/24:8443", "203.0.113.9", 8443, true)]
    [InlineData("203.0.113.0/24:8443", "203.0.113.9", 443, false)]
    [InlineData("[2001:db8::1]:443", "2001:db8::1", 443, true)]
    public void An_entry_names_exactly_what_it_says(string entry, string host, int port, bool named) =>
        Assert.Equal(named, new EgressPolicy([AllowedHost.Parse(entry)]).NamesHost(host, port));

    [Theory]
    [InlineData("")]
    [InlineData("exa mple.com")]
    [InlineData("example.com:0")]
    [InlineData("example.com:70000")]
    [InlineData("[::1")]
    [InlineData("user@example.com")]
    public void A_malformed_entry_is_refused(string entry) => Assert.Throws<FormatException>(() => AllowedHost.Parse(entry));

    [Theory]
    [InlineData("169.254.169.254", "link-local")]
    [InlineData("::ffff:169.254.169.254", "link-local")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("127.0.0.53", "loopback")]
    [InlineData("10.0.0.1", "private")]
    [InlineData("172.31.255.255", "private")]
    [InlineData("192.168.1.1", "private")]
    [InlineData("100.64.0.1", "private")]
    [InlineData("fd00::1", "private")]
    [InlineData("0.0.0.0", "unspecified")]
    [InlineData("224.0.0.1", "multicast")]
    [InlineData("93.184.216.34", null)]
    [InlineData("172.32.0.1", null)]
    public void Special_addresses_are_known_as_such(string address, string? kind) =>
        Assert.Equal(kind, EgressPolicy.KindOf(IPAddress.Parse(address)));

    [Fact]
    public void A_public_name_resolving_to_a_private_address_is_refused_and_the_first_public_one_is_taken()
    {
        var policy = new EgressPolicy([AllowedHost.Parse("example.com")]);
        Assert.False(policy.Decide("example.com", 443, [IPAddress.Parse("10.0.0.5")]).Allowed);
        var mixed = policy.Decide("example.com", 443, [IPAddress.Parse("169.254.169.254"), IPAddress.Parse("93.184.216.34")]);
        Assert.Equal(IPAddress.Parse("93.184.216.34"), mixed.Address);
    }

    [Fact]
    public void Only_an_entry_inside_a_special_range_opens_it()
    {
        var wide = new EgressPolicy([AllowedHost.Parse("0.0.0.0/0")]);
        Assert.False(wide.Decide("169.254.169.254", 80, [IPAddress.Parse("169.254.169.254")]).Allowed);
        var narrow = new EgressPolicy([AllowedHost.Parse("10.0.0.0/8")]);
        Assert.True(narrow.Decide("10.2.3.4", 5432, [IPAddress.Parse("10.2.3.4")]).Allowed);
    }

    [Fact]
    public void A_refusal_names_the_address_it_refused_for_the_record()
    {
        var policy = new EgressPolicy([AllowedHost.Parse("metadata.internal")]);
        var decision = policy.Decide("metadata.internal", 80, [IPAddress.Parse("169.254.169.254")]);
        Assert.False(decision.Allowed);
        Assert.Equal(IPAddress.Parse("169.254.169.254"), decision.Address);
        Assert.StartsWith("link_local_address", decision.Refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void The_daemons_own_ports_on_loopback_stay_shut_whatever_an_entry_opens()
    {
        var policy = new EgressPolicy([AllowedHost.Parse("127.0.0.1"), AllowedHost.Parse("localhost:3030")]);
        policy.ReservePort(3030);
        var api = policy.Decide("localhost", 3030, [IPAddress.Loopback]);
        Assert.False(api.Allowed);
        Assert.StartsWith("daemon_port", api.Refusal, StringComparison.Ordinal);
        Assert.False(policy.Decide("0.0.0.0", 3030, [IPAddress.Any]).Allowed);
        Assert.True(policy.Decide("127.0.0.1", 3031, [IPAddress.Loopback]).Allowed);
    }
}
