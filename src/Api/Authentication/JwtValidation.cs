using System.Collections.Concurrent;
using ExternalAction.Actions;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace ExternalAction.Api.Authentication;

/// <summary>
/// Validates bearer JWTs for the oauth2 scheme: signature (pinned algorithms), issuer, audience, lifetime with clock
/// skew, expiry required. Keys come from our own signing key (issue mode) or from the issuer's OIDC metadata or
/// JWKS (external mode), cached and refreshed by the IdentityModel configuration manager.
/// </summary>
public sealed class JwtValidation(IHttpClientFactory httpClients)
{
    public const string DefaultIssuer = "externalaction";
    public const string DefaultAudience = "externalaction";

    private static readonly string[] IssuedAlgorithms = [SecurityAlgorithms.HmacSha256];
    private static readonly string[] ExternalAlgorithms =
    [
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.RsaSsaPssSha256,
    ];

    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly ConcurrentDictionary<string, ConfigurationManager<OpenIdConnectConfiguration>> _managers = new();

    public async Task<TokenValidationResult> ValidateAsync(string token, OAuth2AuthOptions options, CancellationToken ct)
    {
        var parameters = new TokenValidationParameters
        {
            ValidateIssuer = true,
            ValidIssuer = options.Issuer ?? DefaultIssuer,
            ValidateAudience = true,
            ValidAudience = options.Audience ?? DefaultAudience,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = true,
            ClockSkew = TimeSpan.FromSeconds(options.ClockSkewSeconds),
        };
        if (options.Mode == CallerSchemes.ExternalMode)
        {
            parameters.ValidAlgorithms = ExternalAlgorithms;
            parameters.ConfigurationManager = Manager(options);
        }
        else
        {
            parameters.ValidAlgorithms = IssuedAlgorithms;
            parameters.IssuerSigningKey = SigningKey(options);
        }
        ct.ThrowIfCancellationRequested();
        return await _handler.ValidateTokenAsync(token, parameters);
    }

    /// <summary>Mints a short-lived token for a client of the token endpoint (issue mode).</summary>
    public string Issue(string clientId, OAuth2AuthOptions options, DateTimeOffset now)
    {
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = options.Issuer ?? DefaultIssuer,
            Audience = options.Audience ?? DefaultAudience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = now.AddMinutes(options.TokenLifetimeMinutes).UtcDateTime,
            Claims = new Dictionary<string, object> { ["sub"] = clientId, ["client_id"] = clientId, ["jti"] = Guid.NewGuid().ToString("N") },
            SigningCredentials = new SigningCredentials(SigningKey(options), SecurityAlgorithms.HmacSha256),
        };
        return _handler.CreateToken(descriptor);
    }

    public static SymmetricSecurityKey SigningKey(OAuth2AuthOptions options) =>
        new(Convert.FromBase64String(options.SigningKey ?? throw new InvalidOperationException("ExternalAction:Auth:OAuth2:SigningKey is not set.")));

    private ConfigurationManager<OpenIdConnectConfiguration> Manager(OAuth2AuthOptions options)
    {
        var key = options.MetadataAddress ?? options.JwksUri ?? throw new InvalidOperationException("ExternalAction:Auth:OAuth2:MetadataAddress or :JwksUri is required in external mode.");
        return _managers.GetOrAdd(key, _ =>
        {
            // Key documents must come over https; plain http is allowed on loopback only (local issuers, tests).
            var loopback = Uri.TryCreate(key, UriKind.Absolute, out var uri) && uri.IsLoopback;
            var retriever = new HttpDocumentRetriever(httpClients.CreateClient(nameof(JwtValidation))) { RequireHttps = !loopback };
            IConfigurationRetriever<OpenIdConnectConfiguration> reader = options.MetadataAddress is not null
                ? new OpenIdConnectConfigurationRetriever()
                : new JwksRetriever();
            return new ConfigurationManager<OpenIdConnectConfiguration>(key, reader, retriever)
            {
                AutomaticRefreshInterval = TimeSpan.FromHours(12),
                RefreshInterval = TimeSpan.FromMinutes(1),
            };
        });
    }

    /// <summary>Reads a bare JWKS document into a configuration holding its signing keys.</summary>
    private sealed class JwksRetriever : IConfigurationRetriever<OpenIdConnectConfiguration>
    {
        public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(string address, IDocumentRetriever retriever, CancellationToken cancel)
        {
            var json = await retriever.GetDocumentAsync(address, cancel);
            var configuration = new OpenIdConnectConfiguration { JsonWebKeySet = new JsonWebKeySet(json) };
            foreach (var key in configuration.JsonWebKeySet.GetSigningKeys())
                configuration.SigningKeys.Add(key);
            return configuration;
        }
    }
}
