using ExternalAction.Api.Intake;
using ExternalAction.Api.Tests.Sfmc;
using ExternalAction.TestSupport;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace ExternalAction.Api.Tests.Intake;

/// <summary>Every contract's intake endpoint counts its refusals in the intake metrics, under its own contract name.</summary>
[TestFixture]
public sealed class IntakeEndpointsTests
{
    private static void AssertCounted(IServiceProvider services, string pathEnd, string contract)
    {
        var endpoints = services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.EndsWith(pathEnd, StringComparison.Ordinal) == true).ToList();
        Assert.That(endpoints, Is.Not.Empty, pathEnd);
        Assert.That(endpoints.Select(e => e.Metadata.GetMetadata<IntakeMetrics.IntakeEndpoint>()?.Contract), Is.All.EqualTo(contract), pathEnd);
    }

    [Test]
    public void The_B2B_and_AJO_intake_endpoints_are_counted_under_their_contracts()
    {
        using var factory = new ApiFactory(new Dictionary<string, string?> { ["ExternalAction:Actions:File"] = Path.Combine(Fixtures.Root, "actions", "ajo-actions.json") });
        AssertCounted(factory.Services, "/ajo/invoke", "ajo-custom-action");
        using var b2b = new ApiFactory();
        AssertCounted(b2b.Services, "submitAsyncAction", "ajo-b2b");
    }

    [Test]
    public async Task The_SFMC_execute_endpoint_is_counted_under_its_contract()
    {
        await using var host = new SfmcHost();
        AssertCounted(host.Services, "/sfmc/execute", "sfmc");
    }
}
