namespace ExternalAction.Actions;

/// <summary>The action definition file is unusable. The message names the file, the action and each bad key.</summary>
public sealed class ActionDefinitionException(string message) : Exception(message)
{
    /// <summary>All the problems of one file in one message: <c>action 'name': key 'a.b': what is wrong.</c> per line.</summary>
    public static ActionDefinitionException Invalid(string file, IEnumerable<string> problems) =>
        new($"Action definition file '{file}' is invalid:{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", problems));
}
