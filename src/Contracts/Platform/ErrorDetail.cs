namespace ExternalAction.Contracts.Platform;

/// <summary>One field-level problem: the JSON path of the field and what is wrong with it.</summary>
public sealed record ErrorDetail(string Field, string Message);
