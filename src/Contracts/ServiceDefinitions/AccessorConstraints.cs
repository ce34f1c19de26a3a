namespace ExternalAction.Contracts.ServiceDefinitions;

/// <summary>Optional bounds of an accessor's value.</summary>
public sealed record AccessorConstraints
{
    public double? MinValue { get; init; }
    public double? MaxValue { get; init; }
    public List<string>? AllowedValues { get; init; }
}
