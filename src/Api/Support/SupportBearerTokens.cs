using ExternalAction.Api.Console;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ExternalAction.Api.Support;

/// <summary>
/// The support API's other way in, when <c>Oidc:AcceptBearerTokens</c> is on: <c>Authorization: Bearer</c> with a JWT
/// the console's OIDC provider issued for <c>Oidc:Audience</c> (default: the client id). Signature (the provider's
/// JWKS, from the discovery document the console's handler already caches), issuer, audience, lifetime and expiry are
/// checked; then the same claim mapping as the console's sign-in gives the name and role, or nothing.
/// </summary>
public sealed class SupportBearerTokens(IOptionsMonitor<SupportOptions> support, IOptionsMonitor<OpenIdConnectOptions> oidc, TimeProvider clock)
{
    private static readonly string[] Algorithms =
    [
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.RsaSsaPssSha256,
    ];

    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };

    public bool Accepted => support.CurrentValue.Oidc is { Enabled: true, AcceptBearerTokens: true };

    /// <summary>The support user the token stands for, or null (invalid, expired, not for us, or no role mapped).</summary>
    public async Task<SupportPrincipal?> FindAsync(string token, CancellationToken ct)
    {
        var options = support.CurrentValue.Oidc;
        if (!Accepted || token.Length is 0 or > 16_384)
            return null;
        var configuration = await oidc.Get(ConsoleOidc.Scheme).ConfigurationManager!.GetConfigurationAsync(ct);
        var result = await _handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = configuration.Issuer,
            ValidAudience = string.IsNullOrWhiteSpace(options.Audience) ? options.ClientId : options.Audience,
            IssuerSigningKeys = configuration.SigningKeys,
            ValidAlgorithms = Algorithms,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = true,
            ClockSkew = TimeSpan.FromMinutes(1),
            LifetimeValidator = (notBefore, expires, _, p) =>
                expires is { } e && clock.GetUtcNow().UtcDateTime <= e + p.ClockSkew && (notBefore is not { } nb || nb - p.ClockSkew <= clock.GetUtcNow().UtcDateTime),
        });
        return result.IsValid ? options.Map(result.ClaimsIdentity.Claims).User : null;
    }
}
