using System.Text.RegularExpressions;
using ExternalAction.Contracts.Platform;
using ExternalAction.Contracts.ServiceDefinitions;

namespace ExternalAction.Actions;

/// <summary>
/// Checks an action against the reference schema's rules for service definitions (contract §1) and the shape of
/// the Processor's settings. Each problem names the offending key.
/// </summary>
public static partial class ActionValidator
{
    private const string Sd = "serviceDefinition";

    public static IReadOnlyList<string> Validate(ActionDefinition action)
    {
        var p = new List<string>();
        if (!NamePattern().IsMatch(action.Name ?? ""))
            p.Add("key 'name': must be 1-64 characters of letters, digits, '-' or '_' (it becomes a URL segment).");
        if (string.IsNullOrWhiteSpace(action.Version))
            p.Add("key 'version': must not be empty.");
        ValidateServiceDefinition(action.ServiceDefinition, p);
        ValidateChannel(action.Channel, p);
        ValidateMappings(action, p);
        return p;
    }

    private static void ValidateServiceDefinition(ServiceDefinition sd, List<string> p)
    {
        Required(sd.ApiName, $"{Sd}.apiName", p);
        Required(sd.I18n?.EnUs?.Name, $"{Sd}.i18n.en_US.name", p);
        Required(sd.I18n?.EnUs?.Description, $"{Sd}.i18n.en_US.description", p);
        Required(sd.Description, $"{Sd}.description", p);
        Required(sd.PrimaryAttribute, $"{Sd}.primaryAttribute", p);
        if (!ObjectTypes.IsKnown(sd.SupportedEntityType))
            p.Add($"key '{Sd}.supportedEntityType': must be one of {string.Join(", ", ObjectTypes.All)}.");
        if (sd.EnableSplitPaths is null)
            p.Add($"key '{Sd}.enableSplitPaths': is required (true or false).");
        if (sd.Timeout is < 1 or > 240)
            p.Add($"key '{Sd}.timeout': must be between 1 and 240 minutes.");

        var inv = sd.InvocationPayloadDef;
        var cb = sd.CallbackPayloadDef;
        if (inv is null) p.Add($"key '{Sd}.invocationPayloadDef': is required.");
        if (cb is null) p.Add($"key '{Sd}.callbackPayloadDef': is required.");
        if (inv is null || cb is null)
            return;

        Attributes(inv.GlobalAttributes, $"{Sd}.invocationPayloadDef.globalAttributes", p);
        Attributes(inv.FlowAttributes, $"{Sd}.invocationPayloadDef.flowAttributes", p);
        Attributes(cb.Attributes, $"{Sd}.callbackPayloadDef.attributes", p);
        Fields(inv.Fields, $"{Sd}.invocationPayloadDef.fields", p);
        Fields(inv.AccountFields, $"{Sd}.invocationPayloadDef.accountFields", p);
        Fields(cb.Fields, $"{Sd}.callbackPayloadDef.fields", p);
        Fields(cb.AccountFields, $"{Sd}.callbackPayloadDef.accountFields", p);
        for (var i = 0; i < (inv.Headers?.Count ?? 0); i++)
            Required(inv.Headers![i].Name, $"{Sd}.invocationPayloadDef.headers[{i}].name", p);

        if (sd.PrimaryAttribute is { } primary)
        {
            if (inv.FlowAttributes?.Any(a => a.ApiName == primary) != true)
                p.Add($"key '{Sd}.primaryAttribute': '{primary}' must equal the apiName of one of invocationPayloadDef.flowAttributes.");
            if (cb.Attributes?.Any(a => a.ApiName == primary) == true)
                p.Add($"key '{Sd}.primaryAttribute': '{primary}' must not equal a callbackPayloadDef.attributes apiName.");
        }

        // The reference schema's six oneOf variants (contract §1.4).
        var entity = sd.SupportedEntityType;
        var needsFields = entity is ObjectTypes.Lead or ObjectTypes.AccountPerson;
        var needsAccountFields = entity is ObjectTypes.Account or ObjectTypes.AccountPerson;
        if (needsFields && inv.Fields is null) p.Add($"key '{Sd}.invocationPayloadDef.fields': is required for supportedEntityType '{entity}'.");
        if (needsFields && cb.Fields is null) p.Add($"key '{Sd}.callbackPayloadDef.fields': is required for supportedEntityType '{entity}'.");
        if (needsAccountFields && inv.AccountFields is null) p.Add($"key '{Sd}.invocationPayloadDef.accountFields': is required for supportedEntityType '{entity}'.");
        if (needsAccountFields && cb.AccountFields is null) p.Add($"key '{Sd}.callbackPayloadDef.accountFields': is required for supportedEntityType '{entity}'.");

        if (sd.EnableSplitPaths == true && (inv.AccessorsMetadata is null || inv.AccessorsMetadata.Count == 0))
            p.Add($"key '{Sd}.invocationPayloadDef.accessorsMetadata': is required when enableSplitPaths is true.");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < (inv.AccessorsMetadata?.Count ?? 0); i++)
        {
            var a = inv.AccessorsMetadata![i];
            var key = $"{Sd}.invocationPayloadDef.accessorsMetadata[{i}]";
            Required(a.AccessorName, $"{key}.accessorName", p);
            DataType(a.DataType, $"{key}.dataType", p);
            if (a.AccessorName is not null && !seen.Add(a.AccessorName))
                p.Add($"key '{key}.accessorName': '{a.AccessorName}' is declared twice.");
            if (a.Constraints is { MinValue: { } min, MaxValue: { } max } && min > max)
                p.Add($"key '{key}.constraints': minValue is greater than maxValue.");
        }
    }

    private static void ValidateChannel(ChannelDefinition channel, List<string> p)
    {
        if (!ChannelTypes.All.Contains(channel.Type))
        {
            p.Add($"key 'channel.type': must be one of {string.Join(", ", ChannelTypes.All)}.");
            return;
        }
        if (channel.MaxConcurrency < 1) p.Add("key 'channel.maxConcurrency': must be at least 1.");
        if (channel.RatePerSecond < 0) p.Add("key 'channel.ratePerSecond': must not be negative.");
        if (channel.TimeoutSeconds is < 1 or > 600) p.Add("key 'channel.timeoutSeconds': must be between 1 and 600.");
        switch (channel.Type)
        {
            case ChannelTypes.Webhook:
                if (channel.Url is null && channel.UrlSecret is null) p.Add("key 'channel.url': is required for a webhook (or 'channel.urlSecret').");
                if (channel.Method is not ("GET" or "POST" or "PUT" or "PATCH" or "DELETE")) p.Add("key 'channel.method': must be GET, POST, PUT, PATCH or DELETE.");
                if (!ChannelAuthTypes.All.Contains(channel.Auth.Type)) p.Add($"key 'channel.auth.type': must be one of {string.Join(", ", ChannelAuthTypes.All)}.");
                if (channel.Auth.Type != ChannelAuthTypes.None && string.IsNullOrEmpty(channel.Auth.Secret)) p.Add("key 'channel.auth.secret': names the secret to use and is required for this auth type.");
                if (channel.Auth.Type == ChannelAuthTypes.Basic && string.IsNullOrEmpty(channel.Auth.Username)) p.Add("key 'channel.auth.username': is required for basic auth.");
                break;
            case ChannelTypes.Slack:
                if (channel.Url is null && channel.UrlSecret is null) p.Add("key 'channel.urlSecret': names the secret holding the Slack incoming-webhook URL.");
                if (channel.Text is null && channel.Blocks is null) p.Add("key 'channel.text': a Slack message needs 'text' or 'blocks'.");
                break;
            case ChannelTypes.Twilio:
                Required(channel.AccountSid, "channel.accountSid", p);
                Required(channel.AuthTokenSecret, "channel.authTokenSecret", p);
                Required(channel.To, "channel.to", p);
                Required(channel.Text, "channel.text", p);
                if (channel.From is null && channel.MessagingServiceSid is null) p.Add("key 'channel.from': is required (or 'channel.messagingServiceSid').");
                break;
        }
    }

    private static void ValidateMappings(ActionDefinition action, List<string> p)
    {
        var accessors = action.AccessorsMetadata.Select(a => a.AccessorName).ToHashSet();
        foreach (var (name, mapping) in action.Accessors)
        {
            if (!accessors.Contains(name))
                p.Add($"key 'accessors.{name}': no accessor of that name in serviceDefinition.invocationPayloadDef.accessorsMetadata.");
            Mapping(mapping, $"accessors.{name}", action.Channel.Type, p);
        }
        var cb = action.ServiceDefinition.CallbackPayloadDef;
        var fields = (cb?.Fields ?? []).Concat(cb?.AccountFields ?? []).Select(f => f.ServiceAttribute).ToHashSet();
        foreach (var (name, mapping) in action.CallbackFields)
        {
            if (!fields.Contains(name))
                p.Add($"key 'callbackFields.{name}': not declared in serviceDefinition.callbackPayloadDef.fields or accountFields.");
            Mapping(mapping, $"callbackFields.{name}", action.Channel.Type, p);
        }
        var attributes = (cb?.Attributes ?? []).Select(a => a.ApiName).ToHashSet();
        foreach (var (name, mapping) in action.ActivityAttributes)
        {
            if (!attributes.Contains(name))
                p.Add($"key 'activityAttributes.{name}': not declared in serviceDefinition.callbackPayloadDef.attributes.");
            Mapping(mapping, $"activityAttributes.{name}", action.Channel.Type, p);
        }
    }

    private static void Mapping(ValueMapping m, string key, string channelType, List<string> p)
    {
        switch (m.Source)
        {
            case ValueSources.Constant when m.Value is null:
                p.Add($"key '{key}.value': is required for source 'constant'.");
                break;
            case ValueSources.Request or ValueSources.Response when string.IsNullOrWhiteSpace(m.Path):
                p.Add($"key '{key}.path': is required for source '{m.Source}'.");
                break;
            case ValueSources.Response when channelType == ChannelTypes.None:
                p.Add($"key '{key}.source': 'response' needs a channel that answers (channel.type is 'none').");
                break;
            case not (ValueSources.Constant or ValueSources.Request or ValueSources.Response):
                p.Add($"key '{key}.source': must be one of {string.Join(", ", ValueSources.All)}.");
                break;
        }
    }

    private static void Attributes(List<AttributeDefinition>? list, string key, List<string> p)
    {
        for (var i = 0; i < (list?.Count ?? 0); i++)
        {
            Required(list![i].ApiName, $"{key}[{i}].apiName", p);
            Required(list[i].I18n?.EnUs?.DisplayName, $"{key}[{i}].i18n.en_US.displayName", p);
            DataType(list[i].DataType, $"{key}[{i}].dataType", p);
        }
    }

    private static void Fields(List<FieldMapping>? list, string key, List<string> p)
    {
        for (var i = 0; i < (list?.Count ?? 0); i++)
        {
            Required(list![i].ServiceAttribute, $"{key}[{i}].serviceAttribute", p);
            DataType(list[i].DataType, $"{key}[{i}].dataType", p);
        }
    }

    private static void DataType(string? value, string key, List<string> p)
    {
        if (!DataTypes.IsKnown(value))
            p.Add($"key '{key}': must be one of {string.Join(", ", DataTypes.All)}.");
    }

    private static void Required(string? value, string key, List<string> p)
    {
        if (string.IsNullOrWhiteSpace(value))
            p.Add($"key '{key}': is required.");
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex NamePattern();
}
