using System.Globalization;
using System.Text.Json.Nodes;
using ExternalAction.Actions;
using ExternalAction.Contracts.Callbacks;
using ExternalAction.Contracts.Messaging;
using ExternalAction.Contracts.Platform;

namespace ExternalAction.Processor.Callbacks;

/// <summary>
/// Builds the callback body of contract §4.2: one <c>objectData</c> element with <c>activityData</c> and the
/// entity block of the request's type. Ids are the request's, as JSON integers (intake only accepts digit ids).
/// A failure callback carries ids, <c>errorCode</c> and <c>reason</c> only. Callback fields go to the person or the
/// account block by where <c>callbackPayloadDef</c> declares them. For accountPerson the accessor values go per
/// relationship, never on <c>accountData</c>, and every relationship of the request gets an item.
/// </summary>
public static class CallbackBuilder
{
    // Keys the schema gives a meaning of its own: a field or attribute of that name would produce a duplicate key.
    private static readonly HashSet<string> ActivityKeys = ["success", "errorCode", "reason"];
    private static readonly HashSet<string> EntityKeys = ["id", "accessorValues"];

    public static CallbackRequest Build(ActionDefinition action, ActionAccepted message, CallbackOutcome outcome)
    {
        var context = message.B2B.ObjectData!.ObjectContext!;
        var activity = new ActivityData
        {
            Success = outcome.Success,
            ErrorCode = outcome.Success ? null : outcome.ErrorCode ?? "API_ERROR",
            Reason = outcome.Success ? null : outcome.Reason ?? "The action failed.",
            Attributes = outcome.Success ? Extension(outcome.ActivityAttributes, ActivityKeys) : null,
        };
        var (personFields, accountFields) = SplitFields(action, message.B2B.ObjectData.ObjectType, outcome.Success ? outcome.Fields : null);
        var values = outcome.Success ? outcome.Accessors : null;

        var element = message.B2B.ObjectData.ObjectType switch
        {
            ObjectTypes.Lead => new CallbackObjectData
            {
                ActivityData = activity,
                LeadData = new EntityCallbackData { Id = Id(context.LeadId), Fields = Extension(personFields, EntityKeys), AccessorValues = NonEmpty(values?.Values) },
            },
            ObjectTypes.Account => new CallbackObjectData
            {
                ActivityData = activity,
                AccountData = new EntityCallbackData { Id = Id(context.AccountId), Fields = Extension(accountFields, EntityKeys), AccessorValues = NonEmpty(values?.Values) },
            },
            _ => new CallbackObjectData
            {
                ActivityData = activity,
                AccountData = new EntityCallbackData { Id = Id(context.AccountId), Fields = Extension(accountFields, EntityKeys) },
                AccountPersonData = (context.AccountPersonRelationships ?? []).OfType<AccountPersonRelationship>().Select(r => new AccountPersonCallbackData
                {
                    AccountPersonRelId = r.AccountPersonRelId!.Value,
                    AccountId = r.AccountId!.Value,
                    PersonId = r.PersonId!.Value,
                    LeadData = Clone(personFields),
                    AccessorValues = values is null ? null
                        : NonEmpty(values.ByRelationship.TryGetValue(r.AccountPersonRelId.Value, out var own) ? own : values.Values),
                }).ToList(),
            },
        };
        return new CallbackRequest([element]);
    }

    /// <summary>
    /// Callback fields go to the person block when <c>callbackPayloadDef.fields</c> declares them, to the account block
    /// when <c>accountFields</c> does (a lead has no account block, an account no person block); undeclared ones are dropped.
    /// </summary>
    private static (JsonObject? Person, JsonObject? Account) SplitFields(ActionDefinition action, string? objectType, JsonObject? fields)
    {
        if (fields is null || fields.Count == 0)
            return (null, null);
        var cb = action.ServiceDefinition.CallbackPayloadDef;
        var accountNames = objectType == ObjectTypes.Lead ? [] : (cb?.AccountFields ?? []).Select(f => f.ServiceAttribute).ToHashSet();
        var personNames = objectType == ObjectTypes.Account ? [] : (cb?.Fields ?? []).Select(f => f.ServiceAttribute).ToHashSet();
        JsonObject? person = null, account = null;
        foreach (var (name, value) in fields)
        {
            if (personNames.Contains(name))
                (person ??= [])[name] = value?.DeepClone();
            else if (accountNames.Contains(name))
                (account ??= [])[name] = value?.DeepClone();
        }
        return (person, account);
    }

    private static long Id(string? id) => long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
        ? value
        : throw new InvalidOperationException("The request's entity id is not an int64; intake should have refused it.");

    private static JsonObject? NonEmpty(JsonObject? values) => values is { Count: > 0 } ? (JsonObject)values.DeepClone() : null;

    private static Dictionary<string, object?>? Extension(JsonObject? values, HashSet<string> reserved)
    {
        var kept = values?.Where(p => !reserved.Contains(p.Key)).ToDictionary(p => p.Key, p => (object?)p.Value?.DeepClone());
        return kept is { Count: > 0 } ? kept : null;
    }

    private static JsonObject? Clone(JsonObject? values) => values is { Count: > 0 } ? (JsonObject)values.DeepClone() : null;
}
