using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ExternalAction.Api.Console.Pages;

/// <summary>
/// Where the provider's sign-in lands: the browser arrives on a redirect chain that began at the provider, so it does
/// not send the console's SameSite=Strict cookie yet. This page moves on by itself (a meta refresh, no script), a
/// navigation from the console's own origin that does carry the cookie.
/// </summary>
public sealed class SignInCompleteModel : PageModel
{
    public string Next { get; private set; } = SupportConsole.BasePath;

    public void OnGet(string? returnUrl) => Next = SupportConsole.LocalReturnUrl(returnUrl) ?? SupportConsole.BasePath;
}
