using System.Text.Json.Serialization;

namespace ExternalAction.Actions.Rules;

/// <summary>
/// One condition over a work item's template model (the values an action's templates read: <c>lead.email</c> for B2B,
/// the contract's own names for the others): the path evaluator's operators (<c>is</c>, <c>isNot</c>,
/// <c>greaterThan</c>…, <c>contains</c>, <c>notContains</c>) with values typed by <see cref="DataType"/> (inferred from the
/// JSON value when absent), plus <c>exists</c> and <c>notExists</c> (a non-null, non-empty value). A value that is missing
/// or does not read as its type makes the condition false, never an error.
/// </summary>
public sealed record RuleCondition
{
    public required string Field { get; init; }
    public required string Operator { get; init; }
    public List<string?> Values { get; init; } = [];
    public string? DataType { get; init; }
}

/// <summary>One way to deliver: its conditions (all must hold; none: the default route) and its channel.</summary>
public sealed record RouteDefinition
{
    public required string Name { get; init; }
    public List<RuleCondition> When { get; init; } = [];
    public required ChannelDefinition Channel { get; init; }
}

/// <summary>Request-level suppression: when every condition holds, nothing is delivered (reason: the rule's name).</summary>
public sealed record SuppressionRule
{
    public required string Name { get; init; }
    public required List<RuleCondition> When { get; init; }
}

/// <summary>Suppression for an action: its own rules, and whether the store's suppression list applies (by default it does).</summary>
public sealed record SuppressionOptions
{
    public List<SuppressionRule> Rules { get; init; } = [];
    /// <summary>Check the store's suppression list for the route's address (channel kind + normalised address) and the contact id.</summary>
    public bool UseList { get; init; } = true;
    /// <summary>Template for the contact id the list is also checked for (default: the work item's entity or contact id).</summary>
    public string? ContactId { get; init; }
}

/// <summary>
/// At most <see cref="Max"/> deliveries per contact (or address) per sliding <see cref="WindowHours"/>, counted in the store
/// across every Processor instance; <see cref="Scope"/> <c>action</c> counts this action's deliveries, <c>channelKind</c>
/// every action's deliveries on the same kind of channel (e.g. every SMS).
/// </summary>
public sealed record FrequencyCap
{
    public required string Name { get; init; }
    public required int Max { get; init; }
    public required double WindowHours { get; init; }
    /// <summary><c>contact</c> (default) or <c>address</c>.</summary>
    public string Per { get; init; } = CapPer.Contact;
    /// <summary><c>action</c> (default) or <c>channelKind</c>.</summary>
    public string Scope { get; init; } = CapScope.Action;
}

public static class CapPer
{
    public const string Contact = "contact";
    public const string Address = "address";
    public static IReadOnlyList<string> All { get; } = [Contact, Address];
}

public static class CapScope
{
    public const string Action = "action";
    public const string ChannelKind = "channelKind";
    public static IReadOnlyList<string> All { get; } = [Action, ChannelKind];
}

/// <summary>
/// Quiet hours in the recipient's time zone: deliveries go out only between <see cref="From"/> and <see cref="To"/>
/// local time on <see cref="Days"/>. The zone is read from <see cref="ZoneField"/> (an IANA id), else from
/// <see cref="CountryField"/> through <see cref="CountryZones"/>, else <see cref="DefaultZone"/>. Outside the window a
/// delivery waits durably for it to open, still bounded by the request's deadline.
/// </summary>
public sealed record SendWindow
{
    /// <summary>Local time the window opens, <c>HH:mm</c>.</summary>
    public required string From { get; init; }
    /// <summary>Local time the window closes, <c>HH:mm</c> (after <see cref="From"/>; windows across midnight are two windows' worth of trouble and refused).</summary>
    public required string To { get; init; }
    /// <summary>Days of the week it is open (<c>Mon</c>…<c>Sun</c>); empty: every day.</summary>
    public List<string> Days { get; init; } = [];
    public string? ZoneField { get; init; }
    public string? CountryField { get; init; }
    /// <summary>ISO 3166 alpha-2 country code (upper case) → IANA zone id.</summary>
    public Dictionary<string, string> CountryZones { get; init; } = [];
    public string DefaultZone { get; init; } = "UTC";

    [JsonIgnore]
    public TimeOnly Opens => TimeOnly.ParseExact(From, "HH:mm", System.Globalization.CultureInfo.InvariantCulture);

    [JsonIgnore]
    public TimeOnly Closes => TimeOnly.ParseExact(To, "HH:mm", System.Globalization.CultureInfo.InvariantCulture);

    public static IReadOnlyList<string> DayNames { get; } = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
}

/// <summary>The delivery rules of an action (all optional): routing, suppression, frequency caps, a send window.</summary>
public sealed record DeliveryRules
{
    /// <summary>Routes in order, first match wins; a route without conditions is the default. Empty: the action's <c>channel</c>.</summary>
    public List<RouteDefinition> Routes { get; init; } = [];
    public SuppressionOptions Suppression { get; init; } = new();
    public List<FrequencyCap> Caps { get; init; } = [];
    public SendWindow? SendWindow { get; init; }

    /// <summary>
    /// Nothing to apply: no routes, suppression rules, caps or window, and the suppression list switched off. The list is
    /// on by default, so an action without a <c>rules</c> section still honours it: an address or contact support put on
    /// the list receives nothing from any action.
    /// </summary>
    public bool IsEmpty => Routes.Count == 0 && Suppression.Rules.Count == 0 && !Suppression.UseList && Caps.Count == 0 && SendWindow is null;
}
