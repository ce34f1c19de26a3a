using Fluid;

namespace ExternalAction.Actions.Templates;

/// <summary>
/// The one Liquid parser (Fluid) for action templates: the loader checks every template with it and the Processor's
/// renderer parses with it, so what loads is exactly what renders.
/// </summary>
public static class LiquidSyntax
{
    public static FluidParser Parser { get; } = new(new FluidParserOptions { AllowFunctions = false });

    /// <summary>Whether <paramref name="template"/> parses; otherwise Fluid's reason.</summary>
    public static bool TryParse(string template, out string? error)
    {
        var ok = Parser.TryParse(template, out _, out var message);
        error = ok ? null : message;
        return ok;
    }
}
