using System.Text.RegularExpressions;
using ExternalAction.Actions.Templates;
using ExternalAction.Contracts.ServiceDefinitions;

namespace ExternalAction.Actions;

/// <summary>
/// Checks what Adobe's ServiceDefinition schema cannot (<see cref="ServiceDefinitionSchema"/> checks the rest): rules
/// that relate two fields of a service definition, the action's own keys (name, channel, mappings), that every
/// channel template parses and that no template can choose a URL's host. Each problem names the offending key.
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
        if (action.ServesB2B)
        {
            p.AddRange(ServiceDefinitionSchema.Validate(action.ServiceDefinition));
            ValidateServiceDefinition(action.ServiceDefinition, p);
        }
        if (action.Rules.Routes.Count == 0)
            ValidateChannel(action.Channel, p);
        Rules.RulesValidator.Validate(action, p, (channel, key, problems) =>
        {
            var found = new List<string>();
            ValidateChannel(channel, found);
            problems.AddRange(found.Select(f => ActionDefinition.AtKey(f, key)));
        });
        ValidateMappings(action, p);
        if (action.Sfmc is not null)
            p.AddRange(Sfmc.SfmcActivityValidator.Validate(action));
        return p;
    }

    private static void ValidateServiceDefinition(ServiceDefinition sd, List<string> p)
    {
        // Adobe's schema only caps it (240); zero or less would time out every request on arrival.
        if (sd.Timeout < 1)
            p.Add($"key '{Sd}.timeout': must be at least 1 minute.");
        var inv = sd.InvocationPayloadDef;
        var cb = sd.CallbackPayloadDef;
        if (sd.PrimaryAttribute is { } primary && inv is not null)
        {
            if (inv.FlowAttributes?.Any(a => a.ApiName == primary) != true)
                p.Add($"key '{Sd}.primaryAttribute': '{primary}' must equal the apiName of one of invocationPayloadDef.flowAttributes.");
            if (cb?.Attributes?.Any(a => a.ApiName == primary) == true)
                p.Add($"key '{Sd}.primaryAttribute': '{primary}' must not equal a callbackPayloadDef.attributes apiName.");
        }
        if (inv is null)
            return;

        // The schema requires the list with split paths; an empty one would leave the paths nothing to decide on.
        if (sd.EnableSplitPaths == true && inv.AccessorsMetadata is { Count: 0 })
            p.Add($"key '{Sd}.invocationPayloadDef.accessorsMetadata': must not be empty when enableSplitPaths is true.");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < (inv.AccessorsMetadata?.Count ?? 0); i++)
        {
            var a = inv.AccessorsMetadata![i];
            var key = $"{Sd}.invocationPayloadDef.accessorsMetadata[{i}]";
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
        foreach (var (key, template) in ChannelTemplates.Of(channel))
        {
            if (!LiquidSyntax.TryParse(template, out var error))
                p.Add($"key '{key}': the template does not parse: {error}");
        }
        foreach (var (key, url, isTemplate) in ChannelUrls.Of(channel))
        {
            if (ChannelUrls.Origin(url, isTemplate, out var problem) is null)
                p.Add($"key '{key}': {problem}.");
        }
        if (ChannelUrls.FromValueProblem(channel) is { } urlFrom)
            p.Add(urlFrom);
        if (channel.ClientCertificate is not null && channel.Type != ChannelTypes.Webhook)
            p.Add("key 'channel.clientCertificate': only a webhook channel presents a client certificate.");
        switch (channel.Type)
        {
            case ChannelTypes.Webhook:
                if (channel.Url is null && channel.UrlSecret is null && channel.UrlFrom is null) p.Add("key 'channel.url': is required for a webhook (or 'channel.urlSecret', 'channel.urlFrom').");
                if (channel.Method is not ("GET" or "POST" or "PUT" or "PATCH" or "DELETE")) p.Add("key 'channel.method': must be GET, POST, PUT, PATCH or DELETE.");
                if (!ChannelAuthTypes.All.Contains(channel.Auth.Type)) p.Add($"key 'channel.auth.type': must be one of {string.Join(", ", ChannelAuthTypes.All)}.");
                if (channel.Auth.Type != ChannelAuthTypes.None && string.IsNullOrEmpty(channel.Auth.Secret)) p.Add("key 'channel.auth.secret': names the secret to use and is required for this auth type.");
                if (channel.Auth.Type == ChannelAuthTypes.Basic && string.IsNullOrEmpty(channel.Auth.Username)) p.Add("key 'channel.auth.username': is required for basic auth.");
                if (channel.ClientCertificate?.Problem() is { } certificate) p.Add(certificate);
                break;
            case ChannelTypes.Teams:
                if (channel.Url is null && channel.UrlSecret is null) p.Add("key 'channel.urlSecret': names the secret holding the Teams incoming-webhook URL (or 'channel.url').");
                if (channel.Card is null && channel.Text is null) p.Add("key 'channel.card': a Teams message needs an Adaptive Card ('card') or 'text'.");
                break;
            case ChannelTypes.Slack:
                if (channel.Url is null && channel.UrlSecret is null && channel.UrlFrom is null) p.Add("key 'channel.urlSecret': names the secret holding the Slack incoming-webhook URL (or 'channel.urlFrom').");
                if (channel.Text is null && channel.Blocks is null) p.Add("key 'channel.text': a Slack message needs 'text' or 'blocks'.");
                break;
            case ChannelTypes.Twilio:
                Required(channel.AccountSid, "channel.accountSid", p);
                Required(channel.AuthTokenSecret, "channel.authTokenSecret", p);
                Required(channel.To, "channel.to", p);
                Required(channel.Text, "channel.text", p);
                if (channel.From is null && channel.MessagingServiceSid is null) p.Add("key 'channel.from': is required (or 'channel.messagingServiceSid').");
                break;
            case ChannelTypes.Sinch:
                Required(channel.ServicePlanId, "channel.servicePlanId", p);
                Required(channel.ApiTokenSecret, "channel.apiTokenSecret", p);
                Required(channel.From, "channel.from", p);
                Required(channel.To, "channel.to", p);
                Required(channel.Text, "channel.text", p);
                // It becomes a path segment of the batches URL: Sinch's ids are letters and digits.
                if (channel.ServicePlanId is { } plan && !System.Text.RegularExpressions.Regex.IsMatch(plan, "^[A-Za-z0-9_-]{1,64}$"))
                    p.Add("key 'channel.servicePlanId': must be 1 to 64 letters, digits, '_' or '-' (the service plan ID from the Sinch dashboard).");
                if (channel.Region is { } region && !ChannelUrls.SinchRegions.Contains(region))
                    p.Add($"key 'channel.region': must be one of {string.Join(", ", ChannelUrls.SinchRegions)}.");
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
            case ValueSources.Request or ValueSources.Response or ValueSources.Delivery when string.IsNullOrWhiteSpace(m.Path):
                p.Add($"key '{key}.path': is required for source '{m.Source}'.");
                break;
            case ValueSources.Response when channelType == ChannelTypes.None:
                p.Add($"key '{key}.source': 'response' needs a channel that answers (channel.type is 'none').");
                break;
            case not (ValueSources.Constant or ValueSources.Request or ValueSources.Response or ValueSources.Delivery):
                p.Add($"key '{key}.source': must be one of {string.Join(", ", ValueSources.All)}.");
                break;
        }
    }

    private static void Required(string? value, string key, List<string> p)
    {
        if (string.IsNullOrWhiteSpace(value))
            p.Add($"key '{key}': is required.");
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex NamePattern();
}
