namespace ExternalAction.Actions;

/// <summary>The action definition file is unusable. The message names the file, the action and each bad key.</summary>
public sealed class ActionDefinitionException(string message) : Exception(message);
