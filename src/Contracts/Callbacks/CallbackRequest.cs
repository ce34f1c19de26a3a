namespace ExternalAction.Contracts.Callbacks;

/// <summary>The body POSTed to <c>callbackUrl</c>: an array with exactly one element today (contract §4.2).</summary>
public sealed record CallbackRequest(IReadOnlyList<CallbackObjectData> ObjectData);
