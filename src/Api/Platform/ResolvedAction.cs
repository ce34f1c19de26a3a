using ExternalAction.Actions;

namespace ExternalAction.Api.Platform;

/// <summary>Handler parameter carrying the action <see cref="ActionResolution"/> found.</summary>
public sealed record ResolvedAction(ActionDefinition Definition)
{
    public static ValueTask<ResolvedAction?> BindAsync(HttpContext context) =>
        ValueTask.FromResult<ResolvedAction?>(new ResolvedAction(ActionResolution.Get(context)));
}
