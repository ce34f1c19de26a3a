using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace ExternalAction.Api.Console.Pages;

/// <summary>Development only: the callbacks the development inbox received (404 in any other environment).</summary>
public sealed class InboxModel(IServiceProvider services) : PageModel
{
    public IReadOnlyList<DevelopmentInbox.ReceivedCallback> Received { get; private set; } = [];

    public IActionResult OnGet()
    {
        if (services.GetService<DevelopmentInbox>() is not { } inbox)
            return NotFound();
        Received = inbox.Newest();
        return Page();
    }
}
