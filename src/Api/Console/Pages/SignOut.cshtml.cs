using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ExternalAction.Api.Console.Pages;

/// <summary>
/// Ends the console session (a POST, with its antiforgery token, so another site cannot sign anyone out). A session
/// opened through the OIDC provider also ends the provider's, when the provider publishes an end_session_endpoint.
/// </summary>
public sealed class SignOutModel(IAuthenticationSchemeProvider schemes) : PageModel
{
    public IActionResult OnGet() => Redirect(SupportConsole.BasePath);

    public async Task<IActionResult> OnPostAsync()
    {
        var signedOut = new AuthenticationProperties { RedirectUri = SupportConsole.BasePath + "/signin" };
        if (User.HasClaim(ConsoleOidc.MethodClaim, ConsoleOidc.MethodValue) && await schemes.GetSchemeAsync(ConsoleOidc.Scheme) is not null
            && await ConsoleOidc.EndSessionEndpointAsync(HttpContext, HttpContext.RequestAborted) is not null)
            return SignOut(signedOut, SupportConsole.Scheme, ConsoleOidc.Scheme);
        await HttpContext.SignOutAsync(SupportConsole.Scheme);
        return Redirect(SupportConsole.BasePath + "/signin");
    }
}
