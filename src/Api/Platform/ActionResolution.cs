using ExternalAction.Actions;
using ExternalAction.Api.Errors;
using ExternalAction.Contracts.Platform;

namespace ExternalAction.Api.Platform;

/// <summary>
/// Finds the action a platform call is for: the <c>{action}</c> route value under <c>/actions/{action}/…</c>, or the
/// deployment's only action at the root paths. Unknown names get a 404 in the contract's error shape.
/// </summary>
public sealed class ActionResolution : IEndpointFilter
{
    public const string RouteValue = "action";
    private const string ItemKey = "ExternalAction.Action";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var http = invocation.HttpContext;
        var action = Find(http);
        if (action is null)
            return ContractErrors.Result(StatusCodes.Status404NotFound, ContractErrors.Create(
                ErrorCodes.ResourceNotFound, http.GetRouteValue(RouteValue) is null ? "This deployment serves several actions: use /actions/{name}/…" : "No action of that name.",
                nestedCode: ErrorCodes.NotFound));
        http.Items[ItemKey] = action;
        return await next(invocation);
    }

    public static ActionDefinition? Find(HttpContext http)
    {
        var catalog = http.RequestServices.GetRequiredService<ActionCatalog>();
        return http.GetRouteValue(RouteValue) is string name ? catalog.Find(name) : catalog.Single;
    }

    /// <summary>The action resolved for this request (only inside endpoints of a platform group).</summary>
    public static ActionDefinition Get(HttpContext http) =>
        http.Items[ItemKey] as ActionDefinition ?? throw new InvalidOperationException("ActionResolution did not run for this endpoint.");
}
