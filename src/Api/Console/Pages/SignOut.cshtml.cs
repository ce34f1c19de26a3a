using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ExternalAction.Api.Console.Pages;

/// <summary>Ends the console session (a POST, with its antiforgery token, so another site cannot sign anyone out).</summary>
public sealed class SignOutModel : PageModel
{
    public IActionResult OnGet() => Redirect(SupportConsole.BasePath);

    public async Task<IActionResult> OnPostAsync()
    {
        await HttpContext.SignOutAsync(SupportConsole.Scheme);
        return Redirect(SupportConsole.BasePath + "/signin");
    }
}
