using ExternalAction.Actions;
using ExternalAction.Api.Authentication;
using ExternalAction.Api.Console;
using ExternalAction.Api.Errors;
using ExternalAction.Api.Intake;
using ExternalAction.Api.Platform;
using ExternalAction.Api.Support;
using ExternalAction.Contracts.Json;
using ExternalAction.Processor;
using ExternalAction.ServiceDefaults.Messaging;
using ExternalAction.ServiceDefaults.Observability;
using ExternalAction.Store;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.Services.ConfigureHttpJsonOptions(o => ContractJson.Configure(o.SerializerOptions));
builder.Services.AddContractErrors();
builder.Services.AddActionCatalog(builder.Configuration, builder.Environment);
builder.Services.AddStatusStore();
builder.Services.AddCallerAuthentication(builder.Configuration, builder.Environment);
builder.Services.AddPlatformEndpoints();
builder.Services.AddSupport();
builder.Services.AddSupportConsole(builder.Configuration, builder.Environment);
// Embedded default (no RabbitMQ URL): the Processor runs in this process on the in-memory transport.
var embedded = builder.Services.AddEmbeddedProcessorIfNoBroker(builder.Configuration);
builder.AddExternalActionBus(embedded ? bus => bus.AddProcessorConsumers() : null);
builder.Services.AddPreview();

var app = builder.Build();
app.UseContractErrors();
app.UseSupportConsoleHeaders();
app.UseIntakeMetrics();
app.UseAuthentication();
app.UseAuthorization();
app.UseActionResolution();
app.MapDefaultEndpoints();
app.MapOAuthToken();
app.MapPlatformEndpoints();
app.MapSupport();
app.MapSupportConsole();
app.Run();

public partial class Program;
