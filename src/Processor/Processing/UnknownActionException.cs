namespace ExternalAction.Processor.Processing;

/// <summary>A message names an action this Processor's configuration does not have (deployments out of step). Goes to <c>_error</c> for replay.</summary>
public sealed class UnknownActionException(string actionName)
    : Exception($"No action named '{actionName}' is configured in this Processor; the message can be replayed from the _error queue once it is.");
