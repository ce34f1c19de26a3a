using System.Data.Common;
using ExternalAction.ServiceDefaults.Observability;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ExternalAction.Store;

/// <summary>
/// Registers the status table for the configured provider: its write side (<see cref="StatusStore"/>) and support's reads
/// (<see cref="StatusQueries"/>) on one data source, the readiness check and start-up migrations.
/// </summary>
public static class StoreServiceCollectionExtensions
{
    public static IServiceCollection AddStatusStore(this IServiceCollection services)
    {
        // A host that composes Api and Processor may call this twice; a second health check of the same name would throw.
        if (services.Any(d => d.ServiceType == typeof(StatusStore)))
            return services;
        services.AddOptions<StoreOptions>().BindConfiguration(StoreOptions.Section)
            .Validate(o => StoreProviders.All.Contains(o.Provider),
                $"{StoreOptions.Section}:Provider must be one of {string.Join(", ", StoreProviders.All)}.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.ConnectionString), $"{StoreOptions.Section}:ConnectionString is required.")
            .Validate(o => o.GroupCommit.Writers is null or >= 0 and <= 16 && o.GroupCommit.MaxCalls is >= 1 and <= 1000 && o.GroupCommit.GatherMs is >= 0 and <= 100,
                $"{StoreOptions.Section}:GroupCommit: Writers must be between 0 (off) and 16, MaxCalls between 1 and 1000, GatherMs between 0 and 100.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => SqlDialect.For(sp.GetRequiredService<IOptions<StoreOptions>>().Value.Provider));
        // The container owns the data source, so its connection pool is disposed with the host.
        services.TryAddSingleton(sp => sp.GetRequiredService<SqlDialect>()
            .CreateDataSource(sp.GetRequiredService<IOptions<StoreOptions>>().Value.ConnectionString));
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<StoreOptions>>().Value;
            return new StatusStore(sp.GetRequiredService<DbDataSource>(), sp.GetRequiredService<SqlDialect>(), sp.GetRequiredService<TimeProvider>(),
                options.GroupCommit.For(options.Provider));
        });
        services.TryAddSingleton(sp => new StatusQueries(sp.GetRequiredService<DbDataSource>(), sp.GetRequiredService<SqlDialect>()));
        services.TryAddSingleton(sp => new Rules.DeliveryRulesStore(sp.GetRequiredService<DbDataSource>(), sp.GetRequiredService<SqlDialect>()));
        services.TryAddSingleton(sp => new Activations.JourneyActivations(sp.GetRequiredService<DbDataSource>()));
        services.AddHostedService<MigrateOnStart>();
        services.AddHealthChecks().AddCheck<StoreHealthCheck>("status-store", tags: [ServiceDefaultsExtensions.ReadyTag]);
        return services;
    }

    /// <summary>Runs before the bus starts consuming (hosted services start in registration order).</summary>
    private sealed class MigrateOnStart(StatusStore store, IOptions<StoreOptions> options) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) =>
            options.Value.MigrateOnStart ? store.MigrateAsync(cancellationToken) : Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class StoreHealthCheck(StatusStore store) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await store.PingAsync(cancellationToken);
                return HealthCheckResult.Healthy();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return HealthCheckResult.Unhealthy($"status store unreachable ({e.GetType().Name})");
            }
        }
    }
}
