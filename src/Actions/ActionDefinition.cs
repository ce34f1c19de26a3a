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
    /// <summary>Routing, suppression, frequency caps and the send window (docs/channels.md); applied for every contract.</summary>
    public Rules.DeliveryRules Rules { get; init; } = new();
    /// <summary>Accessor name → where its value comes from.</summary>
    public Dictionary<string, ValueMapping> Accessors { get; init; } = [];
    /// <summary>Callback field (<c>callbackPayloadDef.fields</c>/<c>accountFields</c>) → where its value comes from.</summary>
    public Dictionary<string, ValueMapping> CallbackFields { get; init; } = [];
    /// <summary><c>callbackPayloadDef.attributes</c> name → value, sent as extra keys of <c>activityData</c>.</summary>
    public Dictionary<string, ValueMapping> ActivityAttributes { get; init; } = [];
    /// <summary>Overrides the deployment's caller authentication for this action (optional).</summary>
    public CallerAuthOptions? Auth { get; init; }
    /// <summary>The AJO custom-action face (<c>/actions/{name}/ajo/</c>), when the action has one.</summary>
    public Ajo.AjoFace? Ajo { get; init; }
    /// <summary>Serves the action as a Salesforce Marketing Cloud Journey Builder custom activity (optional).</summary>
    public Sfmc.SfmcActivity? Sfmc { get; init; }

    /// <summary>Minutes the platform waits for the callback when the request does not say (<c>timeout</c>, else 60).</summary>
    public int DefaultTimeoutMinutes => ServiceDefinition.Timeout ?? 60;

    public string EntityType => ServiceDefinition.SupportedEntityType!;

    public bool SplitPaths => ServiceDefinition.EnableSplitPaths == true;

    /// <summary>The delivery rules' route this copy of the action delivers on (null: the action's own channel); set by the Processor.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string? RouteName { get; init; }

    /// <summary>The <see cref="OtherFaceKeys"/> the action file entry has a section for (set by the loader).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<string> OtherFaces { get; init; } = [];

    /// <summary>Every channel the action may deliver on, with its action file key: <c>channel</c>, then each route's.</summary>
    public IEnumerable<(string Key, ChannelDefinition Channel)> AllChannels() =>
        Rules.Routes.Count == 0
            ? [("channel", Channel)]
            : [.. Rules.Routes.Select((r, i) => ($"rules.routes[{i}].channel", r.Channel))];

    /// <summary>A problem found for the channel at <c>channel</c>, restated for the one at <paramref name="key"/>.</summary>
    public static string AtKey(string problem, string key) =>
        key == "channel" ? problem : problem.Replace("key 'channel", $"key '{key}", StringComparison.Ordinal);

    /// <summary>Action file keys of the faces other than B2B; an action with one of them may omit the service definition.</summary>
    public static IReadOnlyList<string> OtherFaceKeys { get; } = ["sfmc", "ajo"];

    public IReadOnlyList<AccessorMetadata> AccessorsMetadata =>
        ServiceDefinition.InvocationPayloadDef?.AccessorsMetadata ?? [];
}
