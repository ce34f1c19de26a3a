using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ExternalAction.Actions;

/// <summary>Loads the action definition file once at start-up; a bad file stops the host with a message naming the key.</summary>
public static class ActionCatalogExtensions
{
    public const string DefaultFile = "actions.json";

    public static IServiceCollection AddActionCatalog(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var file = configuration[$"{ActionsOptions.Section}:File"];
        if (string.IsNullOrWhiteSpace(file))
            file = DefaultFile;
        var path = Path.IsPathRooted(file) ? file : Path.Combine(environment.ContentRootPath, file);
        services.AddSingleton(ActionFileLoader.Load(path));
        return services;
    }
}
