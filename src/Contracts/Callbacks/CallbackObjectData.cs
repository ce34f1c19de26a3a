namespace ExternalAction.Contracts.Callbacks;

/// <summary>One callback element: activity data and the entity block of the request's type.</summary>
public sealed record CallbackObjectData
{
    public required ActivityData ActivityData { get; init; }
    public EntityCallbackData? LeadData { get; init; }
    public EntityCallbackData? AccountData { get; init; }
    public IReadOnlyList<AccountPersonCallbackData>? AccountPersonData { get; init; }
}
