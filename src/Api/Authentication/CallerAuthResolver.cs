using ExternalAction.Actions;
using Microsoft.Extensions.Options;

namespace ExternalAction.Api.Authentication;

/// <summary>The caller credentials in force for an action: its own <c>auth</c> block, else the deployment's.</summary>
public sealed class CallerAuthResolver(IOptions<CallerAuthOptions> deployment)
{
    public CallerAuthOptions EffectiveOptions(ActionDefinition? action) => action?.Auth ?? deployment.Value;
}
