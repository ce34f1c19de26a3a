using ExternalAction.Api.Errors;

namespace ExternalAction.Api.Platform;

/// <summary>
/// Answers 404 in the contract's error shape for a route naming an action (<c>/actions/{action}/…</c>) that does not
/// exist, and for a B2B endpoint (<see cref="B2BFace"/>) of an action that serves other contracts only. Middleware rather
/// than an endpoint filter: it runs after authentication (an unauthenticated caller still gets its 401) and before
/// parameter binding, so no endpoint's <see cref="ResolvedAction"/> parameter fails to bind.
/// </summary>
public static class ActionResolution
{
    public static IApplicationBuilder UseActionResolution(this IApplicationBuilder app) =>
        app.Use((http, next) =>
        {
            if (http.GetRouteValue(ResolvedAction.RouteValue) is not null && ResolvedAction.Of(http) is null)
                return ContractErrors.WriteAsync(http, StatusCodes.Status404NotFound, ContractErrors.ForStatus(StatusCodes.Status404NotFound, "No action of that name."));
            if (http.GetEndpoint()?.Metadata.GetMetadata<B2BFace>() is not null && ResolvedAction.Of(http) is { Definition.ServesB2B: false })
                return ContractErrors.WriteAsync(http, StatusCodes.Status404NotFound, ContractErrors.ForStatus(StatusCodes.Status404NotFound,
                    "This action has no AJO B2B face (its action file entry declares no service definition)."));
            return next(http);
        });
}

/// <summary>Endpoint metadata of the AJO B2B External Actions endpoints (intake, service definition, status, OpenAPI).</summary>
public sealed class B2BFace
{
    public static readonly B2BFace Instance = new();
}
