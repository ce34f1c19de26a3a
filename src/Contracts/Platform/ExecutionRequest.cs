using System.Text.Json.Serialization;

namespace ExternalAction.Contracts.Platform;

/// <summary>The body of <c>POST /submitAsyncAction</c> (contract §2.1). Everything is nullable: validation names what is missing.</summary>
public sealed record ExecutionRequest
{
    public string? Token { get; init; }
    public string? CallbackUrl { get; init; }
    public RequestContext? Context { get; init; }
    public ObjectData? ObjectData { get; init; }
    public ActionConfig? ActionConfig { get; init; }
    public Dictionary<string, string>? CustomHeaders { get; init; }
    public bool? EnableSplitPaths { get; init; }

    [JsonExtensionData]
    public Dictionary<string, System.Text.Json.JsonElement>? Extra { get; init; }
}
