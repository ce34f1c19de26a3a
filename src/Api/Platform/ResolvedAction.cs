using ExternalAction.Actions;

namespace ExternalAction.Api.Platform;

/// <summary>Handler parameter carrying the action <see cref="ActionResolution"/> found.</summary>
public sealed record ResolvedAction(ActionDefinition Definition)
{
    // Binding runs before endpoint filters, so this resolves on its own; ActionResolution answers 404 before a
    // handler could see an unknown action.
    public static ValueTask<ResolvedAction?> BindAsync(HttpContext context) =>
        ValueTask.FromResult(ActionResolution.Find(context) is { } action ? new ResolvedAction(action) : null);
}
