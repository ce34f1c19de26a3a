using ExternalAction.Api.Support;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace ExternalAction.Api.Console.Pages;

/// <summary>Why a sign-in through the OIDC provider gave no session; one of a few fixed messages (the query only picks which).</summary>
public sealed class SignInDeniedModel(IOptionsMonitor<SupportOptions> options) : PageModel
{
    public string Message { get; private set; } = "";

    public void OnGet(string? why)
    {
        var oidc = options.CurrentValue.Oidc;
        (Message, Response.StatusCode) = why switch
        {
            "role" => ($"You signed in with {oidc.DisplayName}, but your account has none of the {oidc.RoleClaim} values that give access to the support console. Ask whoever manages the console's groups to add you.", StatusCodes.Status403Forbidden),
            "name" => ($"You signed in with {oidc.DisplayName}, but your account's {oidc.NameClaim} is missing or is not a usable name (1 to 64 letters, digits or . _ @ -), so what you do could not be recorded.", StatusCodes.Status403Forbidden),
            "cancelled" => ($"The sign-in with {oidc.DisplayName} was cancelled or refused by the provider.", StatusCodes.Status403Forbidden),
            _ => ($"The sign-in with {oidc.DisplayName} did not succeed (the answer could not be verified, or it expired). Try again.", StatusCodes.Status400BadRequest),
        };
    }
}
