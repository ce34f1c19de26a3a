using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace ExternalAction.ServiceDefaults.Observability;

/// <summary>What both hosts switch on: structured logs, OpenTelemetry traces and metrics, health checks, HttpClient defaults.</summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>Health checks with this tag decide readiness (broker and database).</summary>
    public const string ReadyTag = "ready";

    public static IHostApplicationBuilder AddServiceDefaults(this IHostApplicationBuilder builder)
    {
        var otel = builder.Services.AddOpenTelemetry()
            .WithTracing(t => t
                .AddSource("MassTransit")
                .AddAspNetCoreInstrumentation(o => o.Filter = ctx => !ctx.Request.Path.StartsWithSegments("/health") && !ctx.Request.Path.StartsWithSegments("/metrics"))
                // Outbound URLs can be credentials (Slack webhooks) or carry personal data: scheme, host and port only.
                .AddHttpClientInstrumentation(OutboundUrlRedaction.Configure))
            .WithMetrics(m => m
                // System.Runtime: the runtime's own meter (GC, allocated bytes, thread pool, JIT), so /metrics shows what
                // dotnet-counters would. Allocations per request (benchmarks) come from AllocationMetric instead.
                .AddMeter("MassTransit", "ExternalAction.*", "System.Runtime")
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                // GET /metrics (MapDefaultEndpoints): each scrape reads the current values, no cached answer.
                .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));
        if (builder.Configuration.GetValue<bool>(AllocationMetric.Setting))
            AllocationMetric.Start();
        // Export only where a collector is configured (standard OTEL_EXPORTER_OTLP_ENDPOINT variable).
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
            otel.UseOtlpExporter();

        builder.Services.AddHealthChecks();
        // No client follows redirects: a third party must not choose where our headers and bodies go next.
        builder.Services.ConfigureHttpClientDefaults(http => http
            .ConfigureHttpClient(c => c.Timeout = TimeSpan.FromSeconds(100))
            .ConfigurePrimaryHttpMessageHandler((handler, _) => RefuseRedirects(handler)));
        builder.Services.AddTraceContextPolicy();
        return builder;
    }

    private static void RefuseRedirects(HttpMessageHandler handler)
    {
        switch (handler)
        {
            case SocketsHttpHandler sockets:
                sockets.AllowAutoRedirect = false;
                break;
            case HttpClientHandler client:
                client.AllowAutoRedirect = false;
                break;
        }
    }

    /// <summary>
    /// <c>/health/live</c> answers while the process runs; <c>/health/ready</c> checks the broker and the database;
    /// <c>/metrics</c> is the Prometheus scrape (counts and timings by action, contract and status; no request data).
    /// </summary>
    public static IEndpointRouteBuilder MapDefaultEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPrometheusScrapingEndpoint("/metrics");
        endpoints.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        endpoints.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag) });
        return endpoints;
    }
}
