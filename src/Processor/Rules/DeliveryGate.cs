using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using ExternalAction.Actions;
using ExternalAction.Actions.Rules;
using ExternalAction.Contracts.Messaging;
using ExternalAction.Processor.Templating;
using ExternalAction.Store.Rules;

namespace ExternalAction.Processor.Rules;

/// <summary>What the delivery rules decided for one attempt.</summary>
public abstract record Verdict
{
    private Verdict() { }

    /// <summary>Deliver on <paramref name="Routed"/>'s channel (the chosen route's); <paramref name="CapKeys"/> hold slots to give back if the channel refuses for good.</summary>
    public sealed record Deliver(ActionDefinition Routed, string? Route, IReadOnlyList<string> CapKeys, string? Explanation) : Verdict;

    /// <summary>Not delivered: <paramref name="Kind"/> is <c>suppressed</c> or <c>capped</c>.</summary>
    public sealed record Withheld(string Kind, string Reason, string? Route) : Verdict;

    /// <summary>Outside the send window: wait until <paramref name="Until"/>.</summary>
    public sealed record Defer(DateTimeOffset Until, string Reason, string? Route) : Verdict;

    /// <summary>The send window opens only after the deadline.</summary>
    public sealed record TooLate(string Reason) : Verdict;

    public const string Suppressed = "suppressed";
    public const string Capped = "capped";
}

/// <summary>One check of the delivery rules in a preview: which rule (<c>route</c>, <c>suppressionRule</c>, <c>sendWindow</c>, <c>suppressionList</c>, <c>cap</c>), its name, what it found and why.</summary>
public sealed record RuleCheck(string Rule, string? Name, string Result, string Detail)
{
    /// <summary>Send window: when it opens next (now when it is open).</summary>
    public DateTimeOffset? NextOpen { get; init; }
    /// <summary>Cap: deliveries counted in its window, and its maximum.</summary>
    public int? Counted { get; init; }
    public int? Max { get; init; }
}

/// <summary>The checks a dry run of <see cref="DeliveryGate.DecideAsync"/> made, in order.</summary>
public sealed class RuleTrace
{
    private readonly List<RuleCheck> _checks = [];

    /// <summary>
    /// False: the suppression list and the cap counters are not read at all (a configuration check such as SFMC
    /// <c>validate</c> previews placeholder data, for which neither means anything, and must not wait on the store).
    /// </summary>
    public bool ReadStore { get; init; } = true;

    public IReadOnlyList<RuleCheck> Checks => _checks;
    internal void Add(RuleCheck check) => _checks.Add(check);
}

/// <summary>
/// Applies an action's delivery rules before anything is sent, in this order: routing (first route whose conditions
/// hold; none: suppressed "no route matched"), the action's suppression rules, the send window (a deferred request counts
/// nothing and is checked again when it comes back), the suppression list (the route's address and the contact), then
/// the frequency caps (a slot of each, atomically in the store; when one is full the slots taken are given back).
/// </summary>
public sealed class DeliveryGate(DeliveryRulesStore store, TemplateRenderer templates)
{
    /// <param name="preview">
    /// A dry run (the preview): every check is recorded in it, the suppression list and the caps are only read (no slot
    /// is taken), and a closed send window does not stop the checks after it (the list and the caps are read as of now).
    /// The verdict is the one a real attempt at <paramref name="now"/> would reach.
    /// </param>
    public async Task<Verdict> DecideAsync(ActionDefinition action, ActionAccepted message, JsonObject model, DateTimeOffset now, CancellationToken ct, RuleTrace? preview = null)
    {
        var rules = action.Rules;
        var (routed, route, explanation) = Route(action, model);
        if (rules.Routes.Count > 0)
            preview?.Add(new RuleCheck("route", route, routed is null ? "none" : "chosen", explanation ?? ""));
        if (routed is null)
            return new Verdict.Withheld(Verdict.Suppressed, explanation!, null);

        foreach (var rule in rules.Suppression.Rules)
        {
            if (RuleConditions.FirstFailure(rule.When, model) is not { } why)
            {
                preview?.Add(new RuleCheck("suppressionRule", rule.Name, "matched", RuleConditions.Describe(rule.When)));
                return new Verdict.Withheld(Verdict.Suppressed, $"suppression rule '{rule.Name}' matched ({RuleConditions.Describe(rule.When)})", route);
            }
            preview?.Add(new RuleCheck("suppressionRule", rule.Name, "passed", why));
        }

        Verdict? waiting = null;
        if (rules.SendWindow is { } window)
        {
            var zone = SendWindows.ZoneFor(window, model);
            var opens = SendWindows.NextOpen(window, zone, now);
            var described = SendWindows.Describe(window, zone);
            if (opens > now)
            {
                waiting = opens >= message.Deadline
                    ? new Verdict.TooLate($"outside the send window ({described}) and it opens at {opens:O}, after the deadline {message.Deadline:O}")
                    : new Verdict.Defer(opens, $"outside the send window ({described}); deferred until it opens at {opens:O}", route);
                preview?.Add(new RuleCheck("sendWindow", null, waiting is Verdict.TooLate ? "opensAfterDeadline" : "closed", described) { NextOpen = opens });
                if (preview is null)
                    return waiting;
            }
            else
                preview?.Add(new RuleCheck("sendWindow", null, "open", described) { NextOpen = now });
        }

        var (kind, address) = AddressOf(routed.Channel, model);
        var contact = ContactOf(action, message, model);
        if (rules.Suppression.UseList && preview is { ReadStore: false })
            preview.Add(new RuleCheck("suppressionList", null, "notChecked", "not read: a configuration check with placeholder data"));
        else if (rules.Suppression.UseList)
        {
            List<(string, string)> keys = [];
            if (kind is not null && address is not null)
                keys.Add((kind, address));
            if (contact is not null)
                keys.Add((Addresses.Contact, contact));
            if (await store.FindAsync(keys, ct) is { } listed)
            {
                var reason = $"the {listed.Kind} {(listed.Kind == Addresses.Contact ? "id" : "address")} is on the suppression list (added by {listed.CreatedBy} at {listed.CreatedAt:O}{(listed.Reason is { Length: > 0 } why ? $": {Short(why)}" : "")})";
                preview?.Add(new RuleCheck("suppressionList", null, "listed", reason));
                return waiting ?? new Verdict.Withheld(Verdict.Suppressed, reason, route);
            }
            preview?.Add(new RuleCheck("suppressionList", null, "notListed", $"checked {string.Join(" and ", keys.Select(k => k.Item1))}"));
        }

        List<string> taken = [];
        foreach (var cap in rules.Caps)
        {
            var who = cap.Per == CapPer.Address ? address is null ? null : $"address:{kind}:{address}" : contact is null ? null : $"contact:{contact}";
            if (who is null)
            {
                preview?.Add(new RuleCheck("cap", cap.Name, "notCounted", cap.Per == CapPer.Address ? "the channel has no address to count on" : "the request has no contact to count on"));
                continue; // nothing to count on: a cap per address of a channel without one, or a request without a contact
            }
            var scope = cap.Scope == CapScope.ChannelKind ? $"kind:{kind ?? routed.Channel.Type}" : $"action:{action.Name}";
            var key = CapKey(scope, who);
            var since = now - TimeSpan.FromHours(cap.WindowHours);
            string Full(int counted) => $"frequency cap '{cap.Name}' is full: {counted} of {cap.Max} deliveries per {(cap.Per == CapPer.Address ? "address" : "contact")} in {cap.WindowHours:0.##} h{(cap.Scope == CapScope.ChannelKind ? $" on every {kind} channel" : "")}";
            if (preview is { ReadStore: false })
            {
                preview.Add(new RuleCheck("cap", cap.Name, "notCounted", "not read: a configuration check with placeholder data") { Max = cap.Max });
                continue;
            }
            if (preview is not null)
            {
                // Read only: a preview never takes a slot.
                var counted = await store.CountAsync(key, since, ct);
                var allowed = counted < cap.Max;
                preview.Add(new RuleCheck("cap", cap.Name, allowed ? "room" : "full", allowed ? $"{counted} of {cap.Max} counted in the window" : Full(counted)) { Counted = counted, Max = cap.Max });
                if (!allowed)
                    return waiting ?? new Verdict.Withheld(Verdict.Capped, Full(counted), route);
                continue;
            }
            var reservation = await store.ReserveAsync(key, message.RequestId, cap.Max, since, now, ct);
            if (!reservation.Allowed)
            {
                foreach (var held in taken)
                    await store.ReleaseAsync(held, message.RequestId, ct);
                return new Verdict.Withheld(Verdict.Capped, Full(reservation.Counted), route);
            }
            taken.Add(key);
        }
        return waiting ?? new Verdict.Deliver(routed, route, taken, explanation);
    }

    /// <summary>Gives back the cap slots of a delivery the channel refused for good (nothing reached the contact).</summary>
    public async Task ReleaseAsync(Verdict.Deliver deliver, string requestId, CancellationToken ct)
    {
        foreach (var key in deliver.CapKeys)
            await store.ReleaseAsync(key, requestId, ct);
    }

    /// <summary>The action as routed: the first route whose conditions hold (its channel, and its name for the pipelines), or why none did.</summary>
    public static (ActionDefinition? Routed, string? Route, string? Explanation) Route(ActionDefinition action, JsonNode model)
    {
        var routes = action.Rules.Routes;
        if (routes.Count == 0)
            return (action, null, null);
        var misses = new List<string>();
        foreach (var route in routes)
        {
            if (RuleConditions.FirstFailure(route.When, model) is not { } why)
                return (action with { Channel = route.Channel, RouteName = route.Name }, route.Name,
                    route.When.Count == 0 ? $"route '{route.Name}' (the default)" : $"route '{route.Name}' matched ({RuleConditions.Describe(route.When)})");
            misses.Add($"'{route.Name}': {why}");
        }
        return (null, null, Short($"no route matched and there is no default route ({string.Join("; ", misses)})"));
    }

    /// <summary>The recipient's address on <paramref name="channel"/> in its normal form, or nulls when the channel has none.</summary>
    public (string? Kind, string? Address) AddressOf(ChannelDefinition channel, JsonObject model)
    {
        var kind = channel.AddressKind ?? Addresses.KindOf(channel);
        var template = channel.Address ?? (channel.Type is ChannelTypes.Twilio or ChannelTypes.Sinch ? channel.To : null);
        if (kind is null || template is null)
            return (kind, null);
        return (kind, Addresses.Normalize(kind, templates.RenderText(template, model)));
    }

    /// <summary>The contact the list and per-contact caps key on: the action's template, else the work item's contact key, lead or account id.</summary>
    public string? ContactOf(ActionDefinition action, ActionAccepted message, JsonObject model)
    {
        var raw = action.Rules.Suppression.ContactId is { } template
            ? templates.RenderText(template, model)
            : message.Identity?.ContactKey ?? message.Request?.ObjectData?.ObjectContext?.LeadId ?? message.Request?.ObjectData?.ObjectContext?.AccountId;
        return Addresses.Normalize(Addresses.Contact, raw);
    }

    /// <summary>Keys stay short enough for every provider's index: a long contact or address is replaced by its SHA-256.</summary>
    private static string CapKey(string scope, string who) =>
        who.Length <= 300 ? $"{scope}|{who}" : $"{scope}|sha256:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(who)))}";

    private static string Short(string text) => text.Length <= 500 ? text : text[..499] + "…";
}
