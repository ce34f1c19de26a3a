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
    /// <summary>The B2B face (AJO B2B External Actions); an empty one when the action serves other contracts only (<see cref="ServesB2B"/>).</summary>
    public ServiceDefinition ServiceDefinition { get; init; } = new();
    /// <summary>
    /// False when the action file gives no service definition because the action declares another face (an
    /// <see cref="OtherFaceKeys"/> section): the B2B endpoints then answer 404 for it and its empty definition is not checked.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool ServesB2B { get; init; } = true;
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

    /// <summary>Action file keys of the faces other than B2B; an action with one of them may omit the service definition.</summary>
    public static IReadOnlyList<string> OtherFaceKeys { get; } = ["sfmc", "ajo"];

    public IReadOnlyList<AccessorMetadata> AccessorsMetadata =>
        ServiceDefinition.InvocationPayloadDef?.AccessorsMetadata ?? [];
}
