using System.Security.Claims;

namespace ExternalAction.Api.Support;

/// <summary>
/// Sign-in to the support console through an external OpenID Connect provider (<c>ExternalAction:Support:Oidc</c>):
/// authorization code flow with PKCE. Off while <see cref="Authority"/> is empty. Who may do what comes from one claim
/// of the id_token (<see cref="RoleClaim"/>) whose values are mapped to <c>viewer</c> / <c>operator</c> by
/// <see cref="Roles"/>; a person with no mapped value gets no access.
/// </summary>
public sealed class SupportOidcOptions
{
    public const string Section = SupportOptions.Section + ":Oidc";

    /// <summary>The provider's issuer URL (its discovery document is <c>{Authority}/.well-known/openid-configuration</c>); https outside Development.</summary>
    public string? Authority { get; set; }

    public string ClientId { get; set; } = "";

    /// <summary>Name of the secret holding the client secret (<c>Secrets:{name}</c>); none for a public client (PKCE only).</summary>
    public string? ClientSecretName { get; set; }

    /// <summary>Shown on the sign-in button: "Sign in with {DisplayName}".</summary>
    public string DisplayName { get; set; } = "single sign-on";

    /// <summary>Scopes asked for besides <c>openid</c> (which is always asked for).</summary>
    public List<string> Scopes { get; set; } = ["profile"];

    /// <summary>The claim whose value is the person's name, recorded with what they do (the same rules as support user names).</summary>
    public string NameClaim { get; set; } = "preferred_username";

    /// <summary>The claim holding the person's groups or roles (<c>groups</c>, <c>roles</c>…), one value or several.</summary>
    public string RoleClaim { get; set; } = "";

    /// <summary>Role (<c>viewer</c> or <c>operator</c>) → the <see cref="RoleClaim"/> values that give it; operator wins when both match.</summary>
    public Dictionary<string, List<string>> Roles { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The support API also takes <c>Authorization: Bearer</c> tokens from this provider (off by default).</summary>
    public bool AcceptBearerTokens { get; set; }

    /// <summary>The audience those bearer tokens must be issued for; default <see cref="ClientId"/>.</summary>
    public string? Audience { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority);

    /// <summary>Names a signed-in person may not take: they would read as one of the read-only keys.</summary>
    public const string ReservedNamePrefix = "support-key-";

    /// <summary>The support user these claims make, or why they make none.</summary>
    public OidcMapping Map(IEnumerable<Claim> claims)
    {
        var list = claims as IReadOnlyCollection<Claim> ?? claims.ToList();
        var name = list.FirstOrDefault(c => c.Type == NameClaim)?.Value;
        if (name is null || !SupportUsers.ValidName().IsMatch(name) || name.StartsWith(ReservedNamePrefix, StringComparison.OrdinalIgnoreCase))
            return new OidcMapping(null, OidcRefusal.BadName);
        var values = list.Where(c => c.Type == RoleClaim).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        string? role = null;
        foreach (var candidate in new[] { SupportRoles.Operator, SupportRoles.Viewer })
            if (role is null && Roles.TryGetValue(candidate, out var mapped) && mapped.Any(values.Contains))
                role = candidate;
        return role is null ? new OidcMapping(null, OidcRefusal.NoRole) : new OidcMapping(new SupportPrincipal(name, role), null);
    }

    /// <summary>Start-up checks, each naming its key.</summary>
    internal IEnumerable<string> Problems(bool development, Func<string, bool> secretConfigured)
    {
        if (!Enabled)
            yield break;
        if (!Uri.TryCreate(Authority, UriKind.Absolute, out var authority) || authority.Scheme is not ("https" or "http"))
            yield return $"{Section}:Authority must be an absolute https URL.";
        else if (authority.Scheme != Uri.UriSchemeHttps && !development)
            yield return $"{Section}:Authority must be https outside Development.";
        if (string.IsNullOrWhiteSpace(ClientId))
            yield return $"{Section}:ClientId is required.";
        if (ClientSecretName is { Length: > 0 } secret && !secretConfigured(secret))
            yield return $"{Section}:ClientSecretName names secret '{secret}', which is not configured (set 'Secrets:{secret}').";
        if (string.IsNullOrWhiteSpace(RoleClaim))
            yield return $"{Section}:RoleClaim is required: the claim (groups, roles…) whose values give viewer or operator.";
        if (string.IsNullOrWhiteSpace(NameClaim))
            yield return $"{Section}:NameClaim is required.";
        foreach (var (role, values) in Roles)
        {
            if (!SupportRoles.All.Contains(role))
                yield return $"{Section}:Roles:{role} is not a role; the roles are {string.Join(", ", SupportRoles.All)}.";
            else if (values.Count == 0 || values.Any(string.IsNullOrWhiteSpace))
                yield return $"{Section}:Roles:{role} must list one or more non-empty {RoleClaim} values.";
        }
        if (!Roles.Keys.Any(SupportRoles.All.Contains))
            yield return $"{Section}:Roles must map {RoleClaim} values to viewer and/or operator (no mapping: nobody could sign in).";
        if (Scopes.Any(s => string.IsNullOrWhiteSpace(s) || s.Any(char.IsWhiteSpace)))
            yield return $"{Section}:Scopes must be single words.";
        if (string.IsNullOrWhiteSpace(DisplayName) || DisplayName.Length > 64 || DisplayName.Any(char.IsControl))
            yield return $"{Section}:DisplayName must be 1 to 64 characters without control characters.";
    }
}

public enum OidcRefusal
{
    /// <summary>The name claim is missing or breaks the support user name rules.</summary>
    BadName,

    /// <summary>None of the role claim's values is mapped to a role.</summary>
    NoRole,
}

public sealed record OidcMapping(SupportPrincipal? User, OidcRefusal? Refusal);
