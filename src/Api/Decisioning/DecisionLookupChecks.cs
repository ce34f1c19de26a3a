using ExternalAction.Actions;
using ExternalAction.Actions.Decisioning;
using ExternalAction.Processor.Outbound;
using ExternalAction.ServiceDefaults.Secrets;
using Microsoft.Extensions.Options;

namespace ExternalAction.Api.Decisioning;

/// <summary>
/// Before the Api starts: every decision lookup it may call (an AJO custom action's <c>ajo.decision.lookup</c>, an SFMC
/// split's <c>sfmc.split.decision.lookup</c>) has its auth secret configured and a URL outbound connections accept
/// (<see cref="ChannelChecks.Refusal(Uri, bool, bool, Func{System.Net.IPAddress, string?})"/>). Without this a missing
/// secret or a refused address answers every call with the fallback, which looks like a working split.
/// </summary>
public sealed class DecisionLookupChecks(ActionCatalog catalog, SecretResolver secrets, IHostEnvironment environment, IOptions<OutboundOptions> outbound)
    : StartupCheck
{
    public override Task StartingAsync(CancellationToken cancellationToken)
    {
        var problems = Problems(catalog, secrets, environment.IsDevelopment(), AddressPolicy.From(outbound.Value).BlockedRange).ToList();
        return problems.Count == 0 ? Task.CompletedTask : throw ActionDefinitionException.Invalid(catalog.File ?? "(not read from a file)", problems);
    }

    public static IEnumerable<string> Problems(ActionCatalog catalog, SecretResolver secrets, bool isDevelopment, Func<System.Net.IPAddress, string?> blocked)
    {
        foreach (var action in catalog.All)
        {
            foreach (var (key, lookup) in Lookups(action))
            {
                if (lookup.Auth.Type != ChannelAuthTypes.None && lookup.Auth.Secret is { } secret && !secrets.TryResolve(secret, out _))
                    yield return $"action '{action.Name}': key '{key}.auth.secret': {MissingSecretException.Describe(secret)}";
                if (ChannelUrls.Origin(lookup.Url, isTemplate: true, out _) is { } origin
                    && ChannelChecks.Refusal(origin, showHost: true, isDevelopment, blocked) is { } refusal)
                    yield return $"action '{action.Name}': key '{key}.url': {refusal}.";
            }
        }
    }

    private static IEnumerable<(string Key, DecisionLookup Lookup)> Lookups(ActionDefinition action)
    {
        if (action.Ajo?.Decision?.Lookup is { } ajo)
            yield return ("ajo.decision.lookup", ajo);
        if (action.Sfmc?.Split?.Decision.Lookup is { } sfmc)
            yield return ("sfmc.split.decision.lookup", sfmc);
    }
}
