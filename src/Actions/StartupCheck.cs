using Microsoft.Extensions.Hosting;

namespace ExternalAction.Actions;

/// <summary>
/// A check that runs before anything in the host starts (<see cref="IHostedLifecycleService.StartingAsync"/>) and stops the
/// start with an <see cref="ActionDefinitionException"/> naming file, action and key. The other lifecycle steps do nothing.
/// </summary>
public abstract class StartupCheck : IHostedLifecycleService
{
    public abstract Task StartingAsync(CancellationToken cancellationToken);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
