using System.Text.RegularExpressions;
using ExternalAction.Actions.Decisioning;
using ExternalAction.Actions.Templates;

namespace ExternalAction.Actions.Sfmc;

/// <summary>
/// Checks an action's <c>sfmc</c> section when the action file is loaded, so a bad one stops start-up with the file, the
/// action and the key: argument names and bindings, Journey Builder's execute ranges, outcomes and the split's fallback
/// and budget, the write-back's names and templates.
/// </summary>
public static partial class SfmcActivityValidator
{
    private const string S = "sfmc";

    /// <summary>Journey Builder's ranges for the execute settings (official example's README).</summary>
    public static readonly (int Min, int Max) TimeoutRange = (1_000, 100_000), RetryCountRange = (0, 5), RetryDelayRange = (0, 10_000), ConcurrentRequestsRange = (1, 50);

    public static IReadOnlyList<string> Validate(ActionDefinition action)
    {
        var sfmc = action.Sfmc!;
        var p = new List<string>();
        if (sfmc.Category is not ("message" or "customer" or "flow"))
            p.Add($"key '{S}.category': must be message, customer or flow.");

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < sfmc.InArguments.Count; i++)
        {
            var a = sfmc.InArguments[i];
            var key = $"{S}.inArguments[{i}]";
            if (!ArgumentName().IsMatch(a.Name ?? ""))
                p.Add($"key '{key}.name': must be 1-64 letters, digits or '_', starting with a letter.");
            else if (!names.Add(a.Name!))
                p.Add($"key '{key}.name': '{a.Name}' is declared twice.");
            if (a.Binding is null && !a.Configurable)
                p.Add($"key '{key}.binding': is required unless the marketer sets the value ('configurable': true); for example '{{{{Contact.Key}}}}'.");
            if (a.Binding is not null && !Binding().IsMatch(a.Binding))
                p.Add($"key '{key}.binding': must be a Journey Builder data binding such as '{{{{Contact.Key}}}}' or '{{{{Contact.Attribute.DataExtension.Field}}}}'.");
            if (!SfmcDataTypes.All.Contains(a.DataType))
                p.Add($"key '{key}.dataType': must be one of {string.Join(", ", SfmcDataTypes.All)}.");
            if (a.MaxLength is < 1 or > 65_536)
                p.Add($"key '{key}.maxLength': must be between 1 and 65536.");
            if (a.Format is not (null or "url"))
                p.Add($"key '{key}.format': the only format is 'url'.");
            if (a.Format == "url" && action.Channel.AllowedHosts.Count == 0)
                p.Add($"key '{key}.format': a 'url' argument is checked against 'channel.allowedHosts', which is empty.");
        }

        var outNames = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < (sfmc.OutArguments?.Count ?? 0); i++)
        {
            var o = sfmc.OutArguments![i];
            var key = $"{S}.outArguments[{i}]";
            if (!ArgumentName().IsMatch(o.Name ?? ""))
                p.Add($"key '{key}.name': must be 1-64 letters, digits or '_', starting with a letter.");
            else if (!outNames.Add(o.Name!) || o.Name == "branchResult" && o.Value != SfmcOutValues.BranchResult)
                p.Add($"key '{key}.name': '{o.Name}' is declared twice (or is 'branchResult', which only carries the branch).");
            if (!SfmcOutValues.All.Contains(o.Value))
                p.Add($"key '{key}.value': must be one of {string.Join(", ", SfmcOutValues.All)}.");
            if (o.Value == SfmcOutValues.BranchResult && !sfmc.IsDecision)
                p.Add($"key '{key}.value': 'branchResult' needs outcomes (a split).");
            if (!SfmcDataTypes.All.Contains(o.DataType))
                p.Add($"key '{key}.dataType': must be one of {string.Join(", ", SfmcDataTypes.All)}.");
        }

        var e = sfmc.Execute;
        Range(e.Timeout, TimeoutRange, "timeout", "ms", p);
        Range(e.RetryCount, RetryCountRange, "retryCount", "", p);
        Range(e.RetryDelay, RetryDelayRange, "retryDelay", "ms", p);
        Range(e.ConcurrentRequests, ConcurrentRequestsRange, "concurrentRequests", "", p);
        if (e.DeliveryDeadlineMinutes is < 1 or > 10_080)
            p.Add($"key '{S}.execute.deliveryDeadlineMinutes': must be between 1 and 10080 (a week).");

        ValidateSplit(sfmc, p);
        if (sfmc.WriteBack is { } writeBack)
            ValidateWriteBack(writeBack, p);
        return p;
    }

    private static void ValidateSplit(SfmcActivity sfmc, List<string> p)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < sfmc.Outcomes.Count; i++)
        {
            var key = sfmc.Outcomes[i].Key;
            if (!ArgumentName().IsMatch(key ?? ""))
                p.Add($"key '{S}.outcomes[{i}].key': must be 1-64 letters, digits or '_', starting with a letter.");
            else if (!keys.Add(key!))
                p.Add($"key '{S}.outcomes[{i}].key': '{key}' is declared twice.");
        }
        if (sfmc.Split is null)
        {
            if (sfmc.IsDecision)
                p.Add($"key '{S}.split': is required with outcomes: it says how execute picks the branch (rules or a lookup) and the fallback.");
            return;
        }
        if (!sfmc.IsDecision)
            p.Add($"key '{S}.split': needs 'sfmc.outcomes' (the branches to pick from).");
        if (sfmc.Split.BudgetMs < 1 || sfmc.Split.BudgetMs >= sfmc.Execute.Timeout)
            p.Add($"key '{S}.split.budgetMs': must be at least 1 and below sfmc.execute.timeout ({sfmc.Execute.Timeout} ms), or Journey Builder gives up before the answer.");
        // The decision's own keys (rules, lookup) are checked by the Api's DecisionSpecChecks at start-up; here only that
        // every result it can give is a branch, and that there is a fallback for a failed or slow decision.
        if (sfmc.Split.Decision.Fallback is null)
            p.Add($"key '{S}.split.decision.fallback': is required: the branch answered when no rule matches, the lookup fails or the budget runs out.");
        if (sfmc.Split.Decision.Lookup is { Fields.Count: > 0 } lookup && (lookup.Fields.Count > 1 || !lookup.Fields.ContainsKey("branchResult")))
            p.Add($"key '{S}.split.decision.lookup.fields': a split's lookup maps one field, 'branchResult' (the response path holding the outcome key), or chooses by 'rules'.");
        foreach (var (result, key) in BranchResults(sfmc.Split.Decision))
        {
            if (result is not System.Text.Json.Nodes.JsonValue v || !v.TryGetValue<string>(out var branch) || !keys.Contains(branch))
                p.Add($"key '{S}.split.decision.{key}': must be one of the outcome keys ({string.Join(", ", keys)}).");
        }
    }

    /// <summary>Every result the decision can answer with, and its key under <c>sfmc.split.decision</c>.</summary>
    private static IEnumerable<(System.Text.Json.Nodes.JsonNode? Result, string Key)> BranchResults(DecisionSpec spec)
    {
        for (var i = 0; i < spec.Rules.Count; i++)
            yield return (spec.Rules[i].Result, $"rules[{i}].result");
        for (var i = 0; i < (spec.Lookup?.Rules.Count ?? 0); i++)
            yield return (spec.Lookup!.Rules[i].Result, $"lookup.rules[{i}].result");
        if (spec.Fallback is not null)
            yield return (spec.Fallback, "fallback");
    }

    private static void ValidateWriteBack(SfmcWriteBack w, List<string> p)
    {
        const string key = $"{S}.writeBack";
        if (!Subdomain().IsMatch(w.Subdomain ?? ""))
            p.Add($"key '{key}.subdomain': must be the tenant subdomain (letters, digits, '-'), the part before '.auth.marketingcloudapis.com'.");
        if (string.IsNullOrWhiteSpace(w.ClientId))
            p.Add($"key '{key}.clientId': is required.");
        if (string.IsNullOrWhiteSpace(w.ClientSecretSecret))
            p.Add($"key '{key}.clientSecretSecret': names the secret holding the Installed Package's client secret.");
        if (w.AccountId is not null && !w.AccountId.All(char.IsAsciiDigit))
            p.Add($"key '{key}.accountId': must be the business unit's MID (digits).");
        if (string.IsNullOrWhiteSpace(w.DataExtensionKey) || w.DataExtensionKey.Length > 200)
            p.Add($"key '{key}.dataExtensionKey': is required (the Data Extension's external key, up to 200 characters).");
        if (w.Fields.Count == 0)
            p.Add($"key '{key}.fields': name at least one column of the Data Extension.");
        foreach (var (column, template) in w.Fields)
        {
            if (!LiquidSyntax.TryParse(template, out var error))
                p.Add($"key '{key}.fields.{column}': the template does not parse: {error}");
        }
        foreach (var (name, url) in new[] { ("authBaseUrl", w.AuthBaseUrl), ("restBaseUrl", w.RestBaseUrl) })
        {
            if (url is not null && (!Uri.TryCreate(url, UriKind.Absolute, out var u) || u.Scheme is not ("https" or "http") || !url.EndsWith('/')))
                p.Add($"key '{key}.{name}': must be an absolute http(s) URL ending with '/'.");
        }
    }

    private static void Range(int value, (int Min, int Max) range, string name, string unit, List<string> p)
    {
        if (value < range.Min || value > range.Max)
            p.Add($"key '{S}.execute.{name}': {value} is outside Journey Builder's range {range.Min}-{range.Max}{(unit.Length > 0 ? " " + unit : "")}.");
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_]{0,63}$")]
    private static partial Regex ArgumentName();

    // {{Contact.Key}}, {{Contact.Attribute.DE.Field}}, {{Event.key."Field"}}, {{InteractionDefaults.Email}}, {{Interaction.key.arg}}
    [GeneratedRegex("""^\{\{[A-Za-z][A-Za-z0-9_]*(\.("[^"{}]+"|[A-Za-z0-9_\-]+))+\}\}$""")]
    private static partial Regex Binding();

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$")]
    private static partial Regex Subdomain();
}
