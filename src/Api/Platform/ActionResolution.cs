using ExternalAction.Api.Errors;

namespace ExternalAction.Api.Platform;

/// <summary>
/// Answers 404 in the contract's error shape for a route naming an action (<c>/actions/{action}/…</c>) that does not
/// exist. Middleware rather than an endpoint filter: it runs after authentication (an unauthenticated caller still gets
/// its 401) and before parameter binding, so no endpoint's <see cref="ResolvedAction"/> parameter fails to bind.
/// </summary>
public static class ActionResolution
{
    public static IApplicationBuilder UseActionResolution(this IApplicationBuilder app) =>
        app.Use((http, next) => http.GetRouteValue(ResolvedAction.RouteValue) is not null && ResolvedAction.Of(http) is null
            ? ContractErrors.WriteAsync(http, StatusCodes.Status404NotFound, ContractErrors.ForStatus(StatusCodes.Status404NotFound, "No action of that name."))
            : next(http));
}
