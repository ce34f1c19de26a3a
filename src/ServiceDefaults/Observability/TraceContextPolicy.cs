using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Context.Propagation;

namespace ExternalAction.ServiceDefaults.Observability;

/// <summary>
/// Trace context (<c>traceparent</c>, <c>tracestate</c>, <c>baggage</c>, the legacy <c>Request-Id</c> and
/// <c>Correlation-Context</c>) leaves the process only to hosts listed in <c>ExternalAction:Outbound:PropagateTraceContextTo</c>:
/// Adobe, IMS and channel hosts get none of our internal ids by default. Two writers add those headers to an
/// HttpClient request, both below every DelegatingHandler: the runtime's diagnostics handler (through
/// <see cref="DistributedContextPropagator"/>) and OpenTelemetry's HttpClient instrumentation (through
/// <see cref="Propagators.DefaultTextMapPropagator"/>). Both are replaced by propagators that write into an
/// <see cref="HttpRequestMessage"/> only when a handler of the client marked it as going to a listed host; every other
/// carrier (MassTransit messages, incoming requests) is passed through unchanged.
/// </summary>
public static class TraceContextPolicy
{
    /// <summary>Set on a request that may carry trace context.</summary>
    public static readonly HttpRequestOptionsKey<bool> Allowed = new("ExternalAction.TraceContextAllowed");

    /// <summary>For <see cref="SocketsHttpHandler.ActivityHeadersPropagator"/> of handlers built by hand.</summary>
    public static DistributedContextPropagator Propagator { get; } = new RequestFilteringPropagator(DistributedContextPropagator.CreateDefaultPropagator());

    private static readonly Lock Installing = new();

    /// <summary>Options, the marking handler on every HttpClient of the factory, and the two process-wide propagators.</summary>
    public static IServiceCollection AddTraceContextPolicy(this IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(Marker)))
            return services;
        services.AddSingleton<Marker>();
        services.AddOptions<TraceContextOptions>().BindConfiguration(TraceContextOptions.Section)
            .Validate(o => o.PropagateTraceContextTo.All(h => h.Length > 0 && !h.Contains("://", StringComparison.Ordinal) && !h.Contains('/')),
                $"{TraceContextOptions.Section}:PropagateTraceContextTo must hold host names (example.com, or .example.com for its subdomains), not URLs.")
            .ValidateOnStart();
        services.ConfigureHttpClientDefaults(http => http.AddHttpMessageHandler(sp => new MarkingHandler(sp.GetRequiredService<IOptions<TraceContextOptions>>().Value)));
        Install();
        return services;
    }

    /// <summary>Replaces the process-wide propagators (once) with ones that honour <see cref="Allowed"/>.</summary>
    public static void Install()
    {
        lock (Installing)
        {
            if (DistributedContextPropagator.Current is not RequestFilteringPropagator)
                DistributedContextPropagator.Current = new RequestFilteringPropagator(DistributedContextPropagator.Current);
            if (Propagators.DefaultTextMapPropagator is not RequestFilteringTextMapPropagator)
            {
                // The SDK's own default, spelled out: reading it here could still see the API's no-op placeholder.
                Sdk.SetDefaultTextMapPropagator(new RequestFilteringTextMapPropagator(
                    new CompositeTextMapPropagator([new TraceContextPropagator(), new BaggagePropagator()])));
            }
        }
    }

    private static bool MayCarry(object? carrier) =>
        carrier is not HttpRequestMessage request || (request.Options.TryGetValue(Allowed, out var allowed) && allowed);

    private sealed class Marker;

    private sealed class MarkingHandler(TraceContextOptions options) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri is { IsAbsoluteUri: true } uri && options.Allows(uri.IdnHost))
                request.Options.Set(Allowed, true);
            return base.SendAsync(request, cancellationToken);
        }
    }

    private sealed class RequestFilteringPropagator(DistributedContextPropagator inner) : DistributedContextPropagator
    {
        public override IReadOnlyCollection<string> Fields => inner.Fields;

        public override void Inject(Activity? activity, object? carrier, PropagatorSetterCallback? setter)
        {
            if (MayCarry(carrier))
                inner.Inject(activity, carrier, setter);
        }

        public override void ExtractTraceIdAndState(object? carrier, PropagatorGetterCallback? getter, out string? traceId, out string? traceState) =>
            inner.ExtractTraceIdAndState(carrier, getter, out traceId, out traceState);

        public override IEnumerable<KeyValuePair<string, string?>>? ExtractBaggage(object? carrier, PropagatorGetterCallback? getter) =>
            inner.ExtractBaggage(carrier, getter);
    }

    private sealed class RequestFilteringTextMapPropagator(TextMapPropagator inner) : TextMapPropagator
    {
        public override ISet<string>? Fields => inner.Fields;

        public override void Inject<T>(PropagationContext context, T carrier, Action<T, string, string> setter)
        {
            if (MayCarry(carrier))
                inner.Inject(context, carrier, setter);
        }

        public override PropagationContext Extract<T>(PropagationContext context, T carrier, Func<T, string, IEnumerable<string>?> getter) =>
            inner.Extract(context, carrier, getter);
    }
}

/// <summary>The hosts outbound requests may send trace context to (<c>ExternalAction:Outbound:PropagateTraceContextTo</c>).</summary>
public sealed class TraceContextOptions
{
    public const string Section = "ExternalAction:Outbound";

    /// <summary>Host names; an entry starting with a dot (<c>.example.com</c>) also matches every subdomain. Empty: none.</summary>
    public List<string> PropagateTraceContextTo { get; set; } = [];

    public bool Allows(string host) => PropagateTraceContextTo.Any(entry =>
        entry.StartsWith('.')
            ? host.EndsWith(entry, StringComparison.OrdinalIgnoreCase) || host.Equals(entry[1..], StringComparison.OrdinalIgnoreCase)
            : host.Equals(entry, StringComparison.OrdinalIgnoreCase));
}
