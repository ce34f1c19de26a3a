using ExternalAction.Actions;
using ExternalAction.Api.Ajo;
using ExternalAction.Api.Intake;
using ExternalAction.Api.OpenApi;
using ExternalAction.Api.Preview;
using ExternalAction.Api.ServiceDefinition;
using ExternalAction.Api.Sfmc;
using ExternalAction.Api.Status;
using Microsoft.Extensions.Options;

namespace ExternalAction.Api.Platform;

/// <summary>
/// Maps the platform-facing endpoints of every action under <c>/actions/{action}/…</c>, and at the root paths too
/// when the deployment has a single action. Handlers take the action as a <see cref="ResolvedAction"/> parameter.
/// </summary>
public static class PlatformEndpoints
{
    public static IServiceCollection AddPlatformEndpoints(this IServiceCollection services)
    {
        services.AddIntake();
        services.AddAjoFace();
        services.AddSfmc();
        services.AddPreviewEndpoint();
        return services;
    }

    public static IEndpointRouteBuilder MapPlatformEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var catalog = endpoints.ServiceProvider.GetRequiredService<ActionCatalog>();
        var intake = endpoints.ServiceProvider.GetRequiredService<IOptions<IntakeOptions>>().Value;

        List<RouteGroupBuilder> groups = [endpoints.MapGroup($"/actions/{{{ResolvedAction.RouteValue}}}")];
        if (catalog.Single is not null)
            groups.Add(endpoints.MapGroup(""));

        foreach (var group in groups)
        {
            // Every endpoint here is for one action: ResolvedAction finds it, ActionResolution answers 404 for unknown names.
            group.WithTags("Platform");
            // AJO B2B External Actions; 404 for an action that serves other contracts only (ActionResolution).
            var b2b = group.MapGroup("").WithMetadata(B2BFace.Instance);
            b2b.MapIntake();
            b2b.MapServiceDefinition(intake);
            b2b.MapStatus();
            b2b.MapOpenApiDocument();
            // AJO custom actions (/ajo/…); 404 for an action without an 'ajo' section.
            group.MapAjo(intake);
            // Salesforce Marketing Cloud Journey Builder custom activity (404 for an action without an sfmc section).
            group.MapSfmc();
            // A dry run of any contract's sample request (support or the caller's credentials).
            group.MapPreview();
        }
        return endpoints;
    }
}
