using System.Net;
using ExternalAction.ServiceDefaults.Secrets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace ExternalAction.Actions;

/// <summary>Loads the action definition file once at start-up; a bad file stops the host with a message naming the key.</summary>
public static class ActionCatalogExtensions
{
    public const string DefaultFile = "actions.json";

    public static IServiceCollection AddActionCatalog(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        // Bound here, not through IOptions: the file is loaded while services are registered, so a bad one stops start-up.
        var file = configuration.GetSection(ActionsOptions.Section).Get<ActionsOptions>()?.File;
        if (string.IsNullOrWhiteSpace(file))
            file = DefaultFile;
        var path = Path.IsPathRooted(file) ? file : Path.Combine(environment.ContentRootPath, file);
        services.AddSingleton(ActionFileLoader.Load(path));
        return services;
    }

    /// <summary>
    /// Stops start-up when a channel cannot be used from this host (<see cref="ChannelChecks"/>). For hosts that deliver;
    /// <paramref name="blockedRange"/> is their outbound clients' address rule (null: the address may be connected to).
    /// </summary>
    public static IServiceCollection AddChannelChecks(this IServiceCollection services, Func<IServiceProvider, Func<IPAddress, string?>> blockedRange)
    {
        services.TryAddSingleton<SecretResolver>();
        services.AddSingleton<IHostedService>(sp => new ChannelChecks(
            sp.GetRequiredService<ActionCatalog>(), sp.GetRequiredService<SecretResolver>(), sp.GetRequiredService<IHostEnvironment>(), blockedRange(sp)));
        return services;
    }
}
