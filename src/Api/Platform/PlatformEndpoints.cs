using ExternalAction.Actions;
using ExternalAction.Api.Intake;
using ExternalAction.Api.OpenApi;
using ExternalAction.Api.ServiceDefinition;
using ExternalAction.Api.Status;
using Microsoft.Extensions.Options;

namespace ExternalAction.Api.Platform;

/// <summary>
/// Maps the platform-facing endpoints of every action under <c>/actions/{action}/…</c>, and at the root paths too
/// when the deployment has a single action.
/// </summary>
public static class PlatformEndpoints
{
    public static IServiceCollection AddPlatformEndpoints(this IServiceCollection services)
    {
        services.AddSingleton<ActionResolution>();
        return services.AddIntake();
    }

    public static IEndpointRouteBuilder MapPlatformEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var catalog = endpoints.ServiceProvider.GetRequiredService<ActionCatalog>();
        var intake = endpoints.ServiceProvider.GetRequiredService<IOptions<IntakeOptions>>().Value;

        List<RouteGroupBuilder> groups = [endpoints.MapGroup($"/actions/{{{ActionResolution.RouteValue}}}")];
        if (catalog.Single is not null)
            groups.Add(endpoints.MapGroup(""));

        foreach (var group in groups)
        {
            // Every platform endpoint needs to know its action first (404 for unknown names).
            group.AddEndpointFilter<ActionResolution>().WithTags("Platform");
            group.MapIntake();
            group.MapServiceDefinition(intake);
            group.MapStatus();
            group.MapOpenApiDocument();
        }
        return endpoints;
    }
}
