namespace ExternalAction.Contracts.Platform;

/// <summary>The three entity types of the contract (<c>objectData.objectType</c>, <c>supportedEntityType</c>).</summary>
public static class ObjectTypes
{
    public const string Lead = "lead";
    public const string Account = "account";
    public const string AccountPerson = "accountPerson";

    public static IReadOnlyList<string> All { get; } = [Lead, Account, AccountPerson];

    public static bool IsKnown(string? value) => value is Lead or Account or AccountPerson;
}
