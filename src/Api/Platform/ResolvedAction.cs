using System.Reflection;
using ExternalAction.Actions;

namespace ExternalAction.Api.Platform;

/// <summary>
/// The action a platform call is for, looked up once per request and kept on the request's features: the
/// <c>{action}</c> route value under <c>/actions/{action}/…</c>, or the deployment's only action at the root paths.
/// Caller authentication, <see cref="ActionResolution"/> (the 404 for unknown names) and every handler that takes a
/// <see cref="ResolvedAction"/> parameter read that one lookup.
/// </summary>
public sealed record ResolvedAction(ActionDefinition Definition, bool AtRoot) : IBindableFromHttpContext<ResolvedAction>
{
    public const string RouteValue = "action";

    /// <summary>
    /// The action of this request (valid once routing has run), or null for an unknown name, and at the root of a
    /// deployment with several actions.
    /// </summary>
    public static ResolvedAction? Of(HttpContext http)
    {
        if (http.Features.Get<Lookup>() is { } done)
            return done.Action;
        var catalog = http.RequestServices.GetRequiredService<ActionCatalog>();
        var name = http.GetRouteValue(RouteValue) as string;
        var action = name is null ? catalog.Single : catalog.Find(name);
        var resolved = action is null ? null : new ResolvedAction(action, AtRoot: name is null);
        http.Features.Set(new Lookup(resolved));
        return resolved;
    }

    /// <summary>Binding runs after <see cref="ActionResolution"/> answered 404 for unknown names, so this is never null there.</summary>
    public static ValueTask<ResolvedAction?> BindAsync(HttpContext context, ParameterInfo parameter) => ValueTask.FromResult(Of(context));

    /// <summary>The lookup's result, null included, so a request never looks twice.</summary>
    private sealed record Lookup(ResolvedAction? Action);
}
