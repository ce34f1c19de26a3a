using System.Globalization;
using System.Text.RegularExpressions;

namespace ExternalAction.Actions.Rules;

/// <summary>Start-up checks of an action's delivery rules; each problem names the key (<c>rules.routes[1].when[0].field</c>).</summary>
public static partial class RulesValidator
{
    /// <summary>The top-level names of a B2B work item's template model (Processor's TemplateModel; a test keeps the two equal).</summary>
    public static IReadOnlyList<string> B2BModelRoots { get; } =
        ["requestId", "action", "objectType", "lead", "account", "relationships", "flow", "subscription", "journey", "admin", "context", "headers", "receivedAt", "deadline"];

    private static readonly string[] Operators =
        ["is", "isNot", "greaterThan", "greaterThanOrEqual", "lessThan", "lessThanOrEqual", "contains", "notContains", "exists", "notExists"];

    private static readonly string[] DataTypes = ["string", "integer", "float", "boolean", "date", "dateTime"];

    public static void Validate(ActionDefinition action, List<string> p, Action<ChannelDefinition, string, List<string>> validateChannel)
    {
        var rules = action.Rules;
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < rules.Routes.Count; i++)
        {
            var route = rules.Routes[i];
            var key = $"rules.routes[{i}]";
            if (!NamePattern().IsMatch(route.Name ?? ""))
                p.Add($"key '{key}.name': must be 1-64 characters of letters, digits, '-' or '_'.");
            else if (!names.Add(route.Name!))
                p.Add($"key '{key}.name': '{route.Name}' is used by more than one route.");
            Conditions(route.When, $"{key}.when", action, p);
            if (route.When.Count == 0 && i < rules.Routes.Count - 1)
                p.Add($"key '{key}.when': a route without conditions is the default and must be the last one (the routes after it could never be chosen).");
            validateChannel(route.Channel, $"{key}.channel", p);
        }
        for (var i = 0; i < rules.Suppression.Rules.Count; i++)
        {
            var rule = rules.Suppression.Rules[i];
            var key = $"rules.suppression.rules[{i}]";
            if (string.IsNullOrWhiteSpace(rule.Name))
                p.Add($"key '{key}.name': is required (it is the reason recorded).");
            if (rule.When is not { Count: > 0 })
                p.Add($"key '{key}.when': needs at least one condition (a rule without one would suppress everything).");
            else
                Conditions(rule.When, $"{key}.when", action, p);
        }
        var capNames = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < rules.Caps.Count; i++)
        {
            var cap = rules.Caps[i];
            var key = $"rules.caps[{i}]";
            if (!NamePattern().IsMatch(cap.Name ?? ""))
                p.Add($"key '{key}.name': must be 1-64 characters of letters, digits, '-' or '_'.");
            else if (!capNames.Add(cap.Name!))
                p.Add($"key '{key}.name': '{cap.Name}' is used by more than one cap.");
            if (cap.Max < 1)
                p.Add($"key '{key}.max': must be at least 1.");
            if (cap.WindowHours is <= 0 or > 24 * 366)
                p.Add($"key '{key}.windowHours': must be more than 0 and at most 8784 (a year).");
            if (!CapPer.All.Contains(cap.Per))
                p.Add($"key '{key}.per': must be one of {string.Join(", ", CapPer.All)}.");
            if (!CapScope.All.Contains(cap.Scope))
                p.Add($"key '{key}.scope': must be one of {string.Join(", ", CapScope.All)}.");
        }
        if (rules.SendWindow is { } window)
            SendWindowProblems(window, action, p);
    }

    private static void SendWindowProblems(SendWindow w, ActionDefinition action, List<string> p)
    {
        const string key = "rules.sendWindow";
        var from = Time(w.From, $"{key}.from", p);
        var to = Time(w.To, $"{key}.to", p);
        if (from is { } f && to is { } t && f >= t)
            p.Add($"key '{key}.to': must be later than 'from' ({w.From}); a window across midnight is not supported.");
        foreach (var day in w.Days)
        {
            if (!SendWindow.DayNames.Contains(day))
                p.Add($"key '{key}.days': '{day}' is not one of {string.Join(", ", SendWindow.DayNames)}.");
        }
        Zone(w.DefaultZone, $"{key}.defaultZone", p);
        foreach (var (country, zone) in w.CountryZones)
        {
            if (!CountryPattern().IsMatch(country))
                p.Add($"key '{key}.countryZones.{country}': must be an ISO 3166 alpha-2 code in upper case.");
            Zone(zone, $"{key}.countryZones.{country}", p);
        }
        if (w.ZoneField is not null)
            Field(w.ZoneField, $"{key}.zoneField", action, p);
        if (w.CountryField is not null)
            Field(w.CountryField, $"{key}.countryField", action, p);
        if (w.CountryField is not null && w.CountryZones.Count == 0)
            p.Add($"key '{key}.countryZones': needs entries when countryField is given.");
    }

    private static TimeOnly? Time(string? text, string key, List<string> p)
    {
        if (TimeOnly.TryParseExact(text, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
            return time;
        p.Add($"key '{key}': must be a time of day as HH:mm (e.g. 09:00).");
        return null;
    }

    private static void Zone(string? id, string key, List<string> p)
    {
        if (string.IsNullOrWhiteSpace(id) || !TimeZoneInfo.TryFindSystemTimeZoneById(id, out _))
            p.Add($"key '{key}': '{id}' is not a time zone this machine knows (an IANA id such as Europe/Paris).");
    }

    private static void Conditions(List<RuleCondition> conditions, string key, ActionDefinition action, List<string> p)
    {
        for (var j = 0; j < conditions.Count; j++)
        {
            var c = conditions[j];
            var k = $"{key}[{j}]";
            Field(c.Field, $"{k}.field", action, p);
            if (!Operators.Contains(c.Operator))
                p.Add($"key '{k}.operator': must be one of {string.Join(", ", Operators)}.");
            else if (c.Operator is not ("exists" or "notExists") && c.Values.Count == 0)
                p.Add($"key '{k}.values': '{c.Operator}' needs at least one value.");
            if (c.DataType is not null && !DataTypes.Contains(c.DataType))
                p.Add($"key '{k}.dataType': must be one of {string.Join(", ", DataTypes)}.");
        }
    }

    /// <summary>A path of the JSON-path subset; for an action that serves B2B only, rooted in B2B's template model.</summary>
    private static void Field(string? field, string key, ActionDefinition action, List<string> p)
    {
        if (field is null || !PathPattern().IsMatch(field))
        {
            p.Add($"key '{key}': '{field}' is not a field path (names and [index] steps, e.g. lead.mobilePhone).");
            return;
        }
        var root = RootPattern().Match(field).Value;
        if (action.ServesB2B && !HasOtherFace(action) && !B2BModelRoots.Contains(root))
            p.Add($"key '{key}': '{root}' is not a field of a request ({string.Join(", ", B2BModelRoots)}).");
    }

    /// <summary>Set by the loader when the action file entry has a section of another face.</summary>
    private static bool HasOtherFace(ActionDefinition action) => action.OtherFaces.Count > 0;

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^[A-Za-z_$][A-Za-z0-9_$-]*(\.[A-Za-z_$][A-Za-z0-9_$-]*|\[[0-9]{1,4}\])*$")]
    private static partial Regex PathPattern();

    [GeneratedRegex(@"^[A-Za-z_$][A-Za-z0-9_$-]*")]
    private static partial Regex RootPattern();

    [GeneratedRegex("^[A-Z]{2}$")]
    private static partial Regex CountryPattern();
}
