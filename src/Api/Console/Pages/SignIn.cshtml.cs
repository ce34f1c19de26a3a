using ExternalAction.Api.Authentication;
using ExternalAction.Api.Support;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ExternalAction.Api.Console.Pages;

/// <summary>Exchanges a support key for the console's cookie; wrong keys count against the address like any failed authentication.</summary>
public sealed class SignInModel(SupportUsers users, FailedAuthenticationThrottle throttle, DevelopmentSupportKey development) : PageModel
{
    public string? Problem { get; private set; }
    public string? ReturnUrl { get; private set; }
    public string? DevelopmentKey => development.Active ? DevelopmentSupportKey.Key : null;

    public void OnGet(string? returnUrl) => ReturnUrl = Local(returnUrl);

    public async Task<IActionResult> OnPostAsync(string? key, string? returnUrl)
    {
        ReturnUrl = Local(returnUrl);
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

    /// <summary>Only a console path is a place to return to (no open redirect).</summary>
    private static string? Local(string? url) =>
        url is not null && url.StartsWith(SupportConsole.BasePath, StringComparison.Ordinal) && !url.StartsWith("//", StringComparison.Ordinal) && !url.Contains('\\', StringComparison.Ordinal)
            ? url : null;
}
