using System.Globalization;
using System.Text.Json.Nodes;
using ExternalAction.Actions;
using ExternalAction.Contracts.Callbacks;
using ExternalAction.Contracts.Messaging;
using ExternalAction.Contracts.Platform;

namespace ExternalAction.Processor.Callbacks;

/// <summary>
/// Builds the callback body of contract §4.2: one <c>objectData</c> element with <c>activityData</c> and the
/// entity block of the request's type. Ids are the request's, as JSON integers. A failure callback carries ids only.
/// For accountPerson the accessor values go per relationship, never on <c>accountData</c>.
/// </summary>
public static class CallbackBuilder
{
    public static CallbackRequest Build(ActionDefinition action, ActionAccepted message, CallbackOutcome outcome)
    {
        var context = message.Request.ObjectData!.ObjectContext!;
        var activity = new ActivityData
        {
            Success = outcome.Success,
            ErrorCode = outcome.Success ? null : outcome.ErrorCode ?? "API_ERROR",
            Reason = outcome.Success ? null : outcome.Reason ?? "The action failed.",
            Attributes = outcome.Success ? Extension(outcome.ActivityAttributes) : null,
        };
        var (personFields, accountFields) = SplitFields(action, outcome.Success ? outcome.Fields : null);
        var values = outcome.Success ? outcome.Accessors : null;

        var element = message.Request.ObjectData.ObjectType switch
        {
            ObjectTypes.Lead => new CallbackObjectData
            {
                ActivityData = activity,
                LeadData = new EntityCallbackData { Id = Id(context.LeadId), Fields = Extension(personFields), AccessorValues = NonEmpty(values?.Values) },
            },
            ObjectTypes.Account => new CallbackObjectData
            {
                ActivityData = activity,
                AccountData = new EntityCallbackData { Id = Id(context.AccountId), Fields = Extension(accountFields), AccessorValues = NonEmpty(values?.Values) },
            },
            _ => new CallbackObjectData
            {
                ActivityData = activity,
                AccountData = new EntityCallbackData { Id = Id(context.AccountId), Fields = Extension(accountFields) },
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

    /// <summary>Callback fields go to the person or the account block by the service definition's declaration.</summary>
    private static (JsonObject? Person, JsonObject? Account) SplitFields(ActionDefinition action, JsonObject? fields)
    {
        if (fields is null || fields.Count == 0)
            return (null, null);
        var cb = action.ServiceDefinition.CallbackPayloadDef;
        var accountNames = (cb?.AccountFields ?? []).Select(f => f.ServiceAttribute).ToHashSet();
        var personNames = (cb?.Fields ?? []).Select(f => f.ServiceAttribute).ToHashSet();
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

    private static long Id(string? id) => long.Parse(id!, NumberStyles.None, CultureInfo.InvariantCulture);

    private static JsonObject? NonEmpty(JsonObject? values) => values is { Count: > 0 } ? (JsonObject)values.DeepClone() : null;

    private static Dictionary<string, object?>? Extension(JsonObject? values) =>
        values is { Count: > 0 } ? values.ToDictionary(p => p.Key, p => (object?)p.Value?.DeepClone()) : null;

    private static JsonObject? Clone(JsonObject? values) => values is { Count: > 0 } ? (JsonObject)values.DeepClone() : null;
}
