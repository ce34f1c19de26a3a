namespace ExternalAction.Actions;

/// <summary>The loaded, validated actions of this deployment, looked up by name.</summary>
public sealed class ActionCatalog
{
    private readonly Dictionary<string, ActionDefinition> _byName;

    public ActionCatalog(IEnumerable<ActionDefinition> actions, string? file = null)
    {
        All = actions.ToList();
        File = file;
        _byName = All.ToDictionary(a => a.Name, StringComparer.Ordinal);
    }

    public IReadOnlyList<ActionDefinition> All { get; }

    /// <summary>The full path of the file the actions were read from, for messages about them.</summary>
    public string? File { get; }

    /// <summary>The action served at the root paths: only when the deployment has exactly one.</summary>
    public ActionDefinition? Single => All.Count == 1 ? All[0] : null;

    public ActionDefinition? Find(string? name) =>
        name is not null && _byName.TryGetValue(name, out var action) ? action : null;
}
