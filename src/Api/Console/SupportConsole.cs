using System.Security.Claims;
using ExternalAction.Api.Support;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using ExternalAction.ServiceDefaults.Messaging;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ExternalAction.Api.Console;

/// <summary>
/// The support console at <c>/console</c>: server-rendered Razor Pages (every value HTML-encoded by Razor; antiforgery
/// tokens on every form, checked on every POST), no JavaScript, one stylesheet served by the Api, a strict
/// Content-Security-Policy. Sign-in exchanges a support key for a cookie of its own scheme (HttpOnly, SameSite=Strict,
/// Secure outside Development, expiring), never the platform's credentials.
/// </summary>
public static class SupportConsole
{
    public const string Scheme = "SupportConsole";
    public const string Policy = "SupportConsole";
    public const string BasePath = "/console";

    /// <summary>No script, no inline style, nothing from elsewhere, no framing; forms post back here only.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    /// <summary>
    /// The policy with the OIDC provider's origin added to <c>form-action</c>: the sign-in and sign-out forms post here,
    /// and the answer redirects to the provider, which browsers check against <c>form-action</c> too.
    /// </summary>
    public static string ContentSecurityPolicyFor(string? providerOrigin) => providerOrigin is null
        ? ContentSecurityPolicy
        : ContentSecurityPolicy.Replace("form-action 'self'", $"form-action 'self' {providerOrigin}", StringComparison.Ordinal);

    public static IServiceCollection AddSupportConsole(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.AddRazorPages(o =>
        {
            o.RootDirectory = "/Console/Pages";
            o.Conventions.AuthorizeFolder("/", Policy);
            o.Conventions.AllowAnonymousToPage("/SignIn");
            o.Conventions.AllowAnonymousToPage("/SignInComplete");
            o.Conventions.AllowAnonymousToPage("/SignInDenied");
        });
        services.AddAuthentication().AddCookie(Scheme, o =>
        {
            o.Cookie.Name = "externalaction-console";
            o.Cookie.Path = BasePath;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
            o.SlidingExpiration = true;
            o.LoginPath = BasePath + "/signin";
            o.AccessDeniedPath = BasePath + "/signin";
            o.ReturnUrlParameter = "returnUrl";
            o.Events.OnValidatePrincipal = StillConfigured;
        });
        services.AddOptions<CookieAuthenticationOptions>(Scheme).Configure<IOptions<SupportOptions>>((o, support) =>
            o.ExpireTimeSpan = TimeSpan.FromMinutes(support.Value.ConsoleSessionMinutes));
        services.AddAuthorizationBuilder()
            .AddPolicy(Policy, p => p.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser());
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "externalaction-console-af";
            o.Cookie.Path = BasePath;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
        });
        services.Configure<Microsoft.AspNetCore.Mvc.CookieTempDataProviderOptions>(o =>
        {
            o.Cookie.Name = "externalaction-console-msg";
            o.Cookie.Path = BasePath;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
        });
        if (ConsoleOidc.Configured(configuration))
            ConsoleOidc.Add(services, environment);
        services.TryAddSingleton<QueueDepths>();
        if (environment.IsDevelopment())
            services.AddSingleton<DevelopmentInbox>();
        return services;
    }

    public static WebApplication MapSupportConsole(this WebApplication app)
    {
        app.MapGet(BasePath + "/console.css", () => Results.Text(ConsoleStyles.Css, "text/css; charset=utf-8")).AllowAnonymous();
        app.MapRazorPages();
        DevelopmentInbox.Map(app);
        return app;
    }

    /// <summary>Security headers on every console answer (the pages, the stylesheet, the sign-in redirects).</summary>
    public static WebApplication UseSupportConsoleHeaders(this WebApplication app)
    {
        var policy = ContentSecurityPolicyFor(ConsoleOidc.Configured(app.Configuration) ? ConsoleOidc.ProviderOrigin(app.Configuration) : null);
        app.UseWhen(c => c.Request.Path.StartsWithSegments(BasePath), branch => branch.Use(async (context, next) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = policy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            // Pages with a form get "no-cache, no-store" from antiforgery; everything else here is not cached either.
            context.Response.OnStarting(() =>
            {
                if (string.IsNullOrEmpty(context.Response.Headers.CacheControl))
                    context.Response.Headers.CacheControl = "no-store";
                return Task.CompletedTask;
            });
            await next(context);
        }));
        return app;
    }

    /// <summary>The signed-in principal for a support user.</summary>
    public static ClaimsPrincipal Principal(SupportPrincipal user) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.Name, user.Name), new Claim(ClaimTypes.Role, user.Role)], Scheme));

    /// <summary>The support user behind a signed-in console request.</summary>
    public static SupportPrincipal User(ClaimsPrincipal principal) =>
        new(principal.Identity?.Name ?? "", principal.FindFirstValue(ClaimTypes.Role) ?? SupportRoles.Viewer);

    /// <summary>Only a console path is a place to return to after signing in (no open redirect).</summary>
    public static string? LocalReturnUrl(string? url) =>
        url is not null && url.StartsWith(BasePath, StringComparison.Ordinal) && !url.StartsWith("//", StringComparison.Ordinal) && !url.Contains('\\', StringComparison.Ordinal)
            ? url : null;

    /// <summary>
    /// A session ends when its user is no longer configured with that role (a key withdrawn, a role lowered, key sign-in
    /// switched off); one signed in through the provider, when the provider is switched off or its role no longer mapped.
    /// </summary>
    private static async Task StillConfigured(CookieValidatePrincipalContext context)
    {
        var options = context.HttpContext.RequestServices.GetRequiredService<IOptionsMonitor<SupportOptions>>().CurrentValue;
        var user = User(context.Principal!);
        var configured = context.Principal!.HasClaim(ConsoleOidc.MethodClaim, ConsoleOidc.MethodValue)
            ? options.Oidc.Enabled && options.Oidc.Roles.TryGetValue(user.Role, out var values) && values.Count > 0
                && ConsoleOidc.SignedInAt(context.Principal) is { } at
                && context.HttpContext.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow() - at < TimeSpan.FromMinutes(options.ConsoleSessionMinutes)
            : options.ConsoleKeySignIn && (options.Users.Any(u => u.Name == user.Name && u.Role == user.Role)
                || (user.Role == SupportRoles.Viewer && user.Name.StartsWith("support-key-", StringComparison.Ordinal)
                    && int.TryParse(user.Name["support-key-".Length..], out var n) && n >= 1 && n <= options.ApiKeys.Count));
        if (!configured)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(Scheme);
        }
    }
}
