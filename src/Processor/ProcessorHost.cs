using ExternalAction.Actions;
using ExternalAction.ServiceDefaults.Messaging;
using ExternalAction.ServiceDefaults.Observability;
using ExternalAction.Store;

namespace ExternalAction.Processor;

/// <summary>The Processor process's composition, shared by Program and by tests that host a real Processor.</summary>
public static class ProcessorHost
{
    public const string DefaultUrl = "http://127.0.0.1:5090";

    public static WebApplication Build(WebApplicationBuilder builder)
    {
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
            builder.WebHost.UseUrls(DefaultUrl);
        builder.AddServiceDefaults();
        builder.Services.AddActionCatalog(builder.Configuration, builder.Environment);
        builder.Services.AddStatusStore();
        builder.Services.AddProcessor(builder.Configuration);
        builder.AddExternalActionBus(bus => bus.AddProcessorConsumers());

        var app = builder.Build();
        app.MapDefaultEndpoints();
        return app;
    }
}
