using ExternalAction.Contracts.ServiceDefinitions;

namespace ExternalAction.Actions;

/// <summary>
/// One configured action: what the platform sees (its service definition) and what the Processor does
/// (channel, accessor mapping, callback fields). Secrets are never written here, only referenced by name.
/// </summary>
public sealed record ActionDefinition
{
    /// <summary>URL-safe name: the action is served under <c>/actions/{name}/</c>.</summary>
    public required string Name { get; init; }
    public string Version { get; init; } = "1";
    public required ServiceDefinition ServiceDefinition { get; init; }
    public ChannelDefinition Channel { get; init; } = new() { Type = ChannelTypes.None };
    /// <summary>Accessor name → where its value comes from.</summary>
    public Dictionary<string, ValueMapping> Accessors { get; init; } = [];
    /// <summary>Callback field (<c>callbackPayloadDef.fields</c>/<c>accountFields</c>) → where its value comes from.</summary>
    public Dictionary<string, ValueMapping> CallbackFields { get; init; } = [];
    /// <summary><c>callbackPayloadDef.attributes</c> name → value, sent as extra keys of <c>activityData</c>.</summary>
    public Dictionary<string, ValueMapping> ActivityAttributes { get; init; } = [];
    /// <summary>Overrides the deployment's caller authentication for this action (optional).</summary>
    public CallerAuthOptions? Auth { get; init; }
    /// <summary>Serves the action as a Salesforce Marketing Cloud Journey Builder custom activity (optional).</summary>
    public Sfmc.SfmcActivity? Sfmc { get; init; }

    /// <summary>Minutes the platform waits for the callback when the request does not say (<c>timeout</c>, else 60).</summary>
    public int DefaultTimeoutMinutes => ServiceDefinition.Timeout ?? 60;

    public string EntityType => ServiceDefinition.SupportedEntityType!;

    public bool SplitPaths => ServiceDefinition.EnableSplitPaths == true;

    public IReadOnlyList<AccessorMetadata> AccessorsMetadata =>
        ServiceDefinition.InvocationPayloadDef?.AccessorsMetadata ?? [];
}
