using ExternalAction.Api.Authentication;
using ExternalAction.Api.Intake;
using ExternalAction.Api.Platform;
using ExternalAction.Contracts.Json;
using ExternalAction.Contracts.ServiceDefinitions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace ExternalAction.Api.ServiceDefinition;

/// <summary><c>GET /getServiceDefinition</c>: the action's service definition, normalised to the reference schema.</summary>
public static class ServiceDefinitionApi
{
    public static RouteGroupBuilder MapServiceDefinition(this RouteGroupBuilder platform, IntakeOptions options)
    {
        var endpoint = platform.MapGet("/getServiceDefinition", Get);
        // Public unless configured otherwise: the platform reads it before the admin has entered credentials.
        if (options.ServiceDefinitionRequiresAuth)
            endpoint.RequireAuthorization(CallerAuthentication.PolicyName);
        return platform;
    }

    public static JsonHttpResult<Contracts.ServiceDefinitions.ServiceDefinition> Get(ResolvedAction action) =>
        TypedResults.Json(action.Definition.ServiceDefinition, ContractJson.Options);
}
