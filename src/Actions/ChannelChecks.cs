using System.Net;
using ExternalAction.ServiceDefaults.Secrets;
using Microsoft.Extensions.Hosting;

namespace ExternalAction.Actions;

/// <summary>
/// Before a host that delivers (the Processor, or the Api in the embedded default) starts anything: every channel can be
/// used from here. Each secret it names is configured, each URL uses https (plain http only in Development or to a
/// loopback host) and names no address literal the outbound clients refuse. The file itself (schema, templates, fixed
/// hosts) was checked when it was loaded; these depend on the host's configuration. Problems stop start-up together,
/// naming the file, the action and the key.
/// </summary>
public sealed class ChannelChecks(ActionCatalog catalog, SecretResolver secrets, IHostEnvironment environment, Func<IPAddress, string?> blockedRange)
    : StartupCheck
{
    /// <summary>The Processor's setting that lets outbound clients reach otherwise refused networks (OutboundOptions).</summary>
    public const string AllowedNetworksKey = "ExternalAction:Outbound:AllowedNetworks";

    public override Task StartingAsync(CancellationToken cancellationToken)
    {
        var problems = catalog.All.SelectMany(action => action.AllChannels()
            .SelectMany(c => Check(c.Channel).Select(p => $"action '{action.Name}': {ActionDefinition.AtKey(p, c.Key)}"))).ToList();
        return problems.Count == 0 ? Task.CompletedTask : throw ActionDefinitionException.Invalid(catalog.File ?? "(not read from a file)", problems);
    }

    private IEnumerable<string> Check(ChannelDefinition channel)
    {
        foreach (var (key, name) in SecretNames(channel))
        {
            if (!secrets.TryResolve(name, out _))
                yield return $"key '{key}': {MissingSecretException.Describe(name)}";
        }
        if (channel.Type is ChannelTypes.Webhook && channel.ClientCertificate is { } certificate && certificate.SecretNames().All(s => secrets.TryResolve(s.Name, out _)))
        {
            // Each value is a credential: say what is wrong with it, never what it is.
            string? problem = null;
            try
            {
                certificate.Load(secrets.Resolve).Dispose();
                certificate.LoadServerCa(secrets.Resolve)?.Dispose();
            }
            catch (System.Security.Cryptography.CryptographicException e)
            {
                problem = e.Message;
            }
            if (problem is not null)
                yield return $"key 'channel.clientCertificate': {problem}.";
        }
        foreach (var (key, url, isTemplate) in ChannelUrls.Of(channel))
        {
            if (ChannelUrls.Origin(url, isTemplate, out _) is { } origin && Refusal(origin, showHost: true) is { } refusal)
                yield return $"key '{key}': {refusal}.";
        }
        if (channel.Type is ChannelTypes.Webhook or ChannelTypes.Slack or ChannelTypes.Teams && channel.UrlSecret is { } urlSecret && secrets.TryResolve(urlSecret, out var held))
        {
            // The value is a credential: say what is wrong with it, never what it is.
            var origin = ChannelUrls.Origin(held, isTemplate: false, out var problem);
            if ((origin is null ? problem : Refusal(origin, showHost: false)) is { } refusal)
                yield return $"key 'channel.urlSecret': the URL in secret '{urlSecret}' {refusal}.";
        }
    }

    private static IEnumerable<(string Key, string Name)> SecretNames(ChannelDefinition channel)
    {
        if (channel.Type is ChannelTypes.Webhook or ChannelTypes.Slack or ChannelTypes.Teams && channel.UrlSecret is { } url)
            yield return ("channel.urlSecret", url);
        if (channel.Type is ChannelTypes.Webhook && channel.Auth.Type != ChannelAuthTypes.None && channel.Auth.Secret is { } auth)
            yield return ("channel.auth.secret", auth);
        if (channel.Type is ChannelTypes.Webhook && channel.ClientCertificate is { } certificate)
            foreach (var secret in certificate.SecretNames())
                yield return secret;
        if (channel.Type is ChannelTypes.Twilio && channel.AuthTokenSecret is { } token)
            yield return ("channel.authTokenSecret", token);
        if (channel.Type is ChannelTypes.Sinch && channel.ApiTokenSecret is { } sinchToken)
            yield return ("channel.apiTokenSecret", sinchToken);
    }

    private string? Refusal(Uri origin, bool showHost) => Refusal(origin, showHost, environment.IsDevelopment(), blockedRange);

    /// <summary>
    /// Why a host with <paramref name="blockedRange"/> refuses to connect to <paramref name="origin"/>, or null: plain http
    /// outside Development (except to loopback), or an address literal in a refused range. Names are resolved at connect
    /// time, where the same rule applies. Shared by every start-up check of an outbound URL (channels, status webhooks,
    /// decision lookups).
    /// </summary>
    public static string? Refusal(Uri origin, bool showHost, bool isDevelopment, Func<IPAddress, string?> blockedRange)
    {
        if (origin.Scheme == Uri.UriSchemeHttp && !origin.IsLoopback && !isDevelopment)
            return "must use https (plain http is accepted only in Development or to a loopback host)";
        IPAddress[] addresses = origin.IsLoopback && origin.HostNameType == UriHostNameType.Dns ? [IPAddress.Loopback, IPAddress.IPv6Loopback]
            : IPAddress.TryParse(origin.DnsSafeHost, out var literal) ? [literal]
            : [];
        var ranges = addresses.Select(blockedRange).ToList();
        if (ranges.Count == 0 || ranges.Any(r => r is null))
            return null;
        var host = showHost ? $" ({origin.Host})" : "";
        return $"must not name a {ranges[0]} address{host}: outbound connections refuse it unless {AllowedNetworksKey} contains it";
    }
}
