namespace ExternalAction.Actions;

/// <summary>Where the action definitions come from (<c>ExternalAction:Actions</c>).</summary>
public sealed class ActionsOptions
{
    public const string Section = "ExternalAction:Actions";

    /// <summary>Path of the action definition file (JSON). Relative paths are taken from the content root.</summary>
    public string? File { get; set; }
}
