using ExternalAction.Api.Authentication;
using ExternalAction.Api.Support;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace ExternalAction.Api.Console.Pages;

/// <summary>
/// Exchanges a support key for the console's cookie (wrong keys count against the address like any failed
/// authentication), or sends the person to the OIDC provider when one is configured. Either can be the only way in.
/// </summary>
public sealed class SignInModel(SupportUsers users, FailedAuthenticationThrottle throttle, DevelopmentSupportKey development,
    IOptionsMonitor<SupportOptions> options, IAuthenticationSchemeProvider schemes) : PageModel
{
    public string? Problem { get; private set; }
    public string? ReturnUrl { get; private set; }
    public string? DevelopmentKey => development.Active && KeySignIn ? DevelopmentSupportKey.Key : null;
    public bool KeySignIn => options.CurrentValue.ConsoleKeySignIn;
    public string? ProviderName { get; private set; }

    public async Task OnGetAsync(string? returnUrl)
    {
        ReturnUrl = SupportConsole.LocalReturnUrl(returnUrl);
        await FindProviderAsync();
    }

    public async Task<IActionResult> OnPostAsync(string? key, string? returnUrl)
    {
        ReturnUrl = SupportConsole.LocalReturnUrl(returnUrl);
        await FindProviderAsync();
        if (!KeySignIn)
        {
            Problem = "Signing in with a support key is switched off here.";
            Response.StatusCode = StatusCodes.Status403Forbidden;
            return Page();
        }
        if (throttle.RetryAfter(HttpContext) is { } retryAfter)
        {
            Problem = $"Too many wrong keys from this address; try again in {Math.Ceiling(retryAfter.TotalSeconds)} s.";
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            return Page();
        }
        if (users.Find(key ?? "") is not { } user)
        {
            if (!string.IsNullOrEmpty(key))
                throttle.Failed(HttpContext, "Support console", "the support key does not match");
            Problem = "That is not a support key.";
            return Page();
        }
        await HttpContext.SignInAsync(SupportConsole.Scheme, SupportConsole.Principal(user), new AuthenticationProperties { IsPersistent = true });
        return LocalRedirect(ReturnUrl ?? SupportConsole.BasePath);
    }

    /// <summary>To the provider's authorization endpoint (a POST with its antiforgery token, so no other site starts a sign-in).</summary>
    public async Task<IActionResult> OnPostOidcAsync(string? returnUrl)
    {
        if (await schemes.GetSchemeAsync(ConsoleOidc.Scheme) is null)
            return NotFound();
        return Challenge(new AuthenticationProperties { RedirectUri = SupportConsole.LocalReturnUrl(returnUrl) ?? SupportConsole.BasePath }, ConsoleOidc.Scheme);
    }

    private async Task FindProviderAsync() =>
        ProviderName = await schemes.GetSchemeAsync(ConsoleOidc.Scheme) is null ? null : options.CurrentValue.Oidc.DisplayName;
}
