using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using ExternalAction.Contracts.Json;

namespace ExternalAction.Contracts.Platform;

/// <summary>
/// <c>objectData.objectContext</c> for all three entity types (contract §2.3). Which members are required
/// depends on <see cref="ObjectData.ObjectType"/>: lead needs leadId + leadData, account needs accountId +
/// accountData, accountPerson needs accountId + accountData + accountPersonRelationships.
/// </summary>
public sealed record ObjectContext
{
    [JsonConverter(typeof(FlexibleStringConverter))] public string? LeadId { get; init; }
    public JsonObject? LeadData { get; init; }
    [JsonConverter(typeof(FlexibleStringConverter))] public string? AccountId { get; init; }
    public JsonObject? AccountData { get; init; }
    public List<AccountPersonRelationship?>? AccountPersonRelationships { get; init; }
}
