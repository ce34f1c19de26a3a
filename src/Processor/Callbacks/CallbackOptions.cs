namespace ExternalAction.Processor.Callbacks;

/// <summary>
/// How the Processor calls the platform back (<c>ExternalAction:Callback</c>): an OAuth Server-to-Server credential of
/// Adobe Developer Console for the IMS bearer token, and the gateway headers.
/// </summary>
public sealed class CallbackOptions
{
    public const string Section = "ExternalAction:Callback";

    /// <summary>IMS token endpoint, e.g. https://ims-na1.adobelogin.com/ims/token/v3. Unset: no Authorization header (development only; a warning is logged).</summary>
    public string? ImsTokenUrl { get; set; }

    public string? ClientId { get; set; }

    /// <summary>Name of the secret holding the client secret, resolved from <c>Secrets:{name}</c>.</summary>
    public string ClientSecretName { get; set; } = "ims-client-secret";

    public string Scopes { get; set; } = "openid,AdobeID,read_organizations";

    /// <summary><c>X-Api-Key</c>; defaults to the client id (Adobe I/O gateway convention).</summary>
    public string? ApiKey { get; set; }

    /// <summary><c>x-gw-ims-org-id</c> when the request carries no <c>context.subscription.imsOrgId</c>.</summary>
    public string? ImsOrgId { get; set; }

    public int TimeoutSeconds { get; set; } = 30;

    /// <summary>A cached token is refreshed this long before it expires.</summary>
    public int RefreshBeforeExpirySeconds { get; set; } = 300;
}
