using System.Text.Json.Nodes;
using ExternalAction.Actions;
using ExternalAction.Contracts.Messaging;
using ExternalAction.Processor.Outbound;
using ExternalAction.Processor.Processing;
using ExternalAction.Store;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ExternalAction.Processor.Engine;

/// <summary>
/// The Processor's half of a platform contract's inbound adapter (the Api half is the contract's endpoint, which turns a
/// platform call into an <see cref="ActionAccepted"/> work item): how one of its work items becomes a status row, and
/// what the action's templates read. Pure; one singleton per contract, registered with
/// <see cref="ContractRegistration.AddContract{TAdapter, TReporter}"/>.
/// </summary>
public interface IContractAdapter
{
    /// <summary>The <see cref="ContractNames"/> value of the work items this adapter reads.</summary>
    string Contract { get; }

    /// <summary>The row support will find: identity columns, the payload with every secret masked, and the content hash.</summary>
    NewRequest Row(ActionAccepted message);

    /// <summary>What the action's channel templates read for this work item (never a secret or a platform token).</summary>
    JsonObject TemplateModel(ActionAccepted message, ActionDefinition action);
}

/// <summary>
/// Ends a request's lifecycle for one contract: from the delivery's result, what the platform (or a receiver the action
/// names) is told, then the telling and what its answer means. The decisions are pure; <see cref="SendAsync"/> is the
/// only I/O and never throws for a failed send (an <see cref="OutboundResult"/> says how it failed).
/// </summary>
public interface IOutcomeReporter
{
    string Contract { get; }

    /// <summary>
    /// After a delivery that succeeded, had nothing to do, or was refused for good (the engine reschedules transient
    /// failures itself): <see cref="Step.Report"/> (record, then send its body), <see cref="Step.Done"/> (nothing to
    /// send: final now) or <see cref="Step.End"/> (final without word to anyone).
    /// </summary>
    Step AfterDelivery(ActionDefinition action, ActionAccepted message, OutboundResult delivered, int attempt, DateTimeOffset now);

    /// <summary>Sends a report body that <see cref="AfterDelivery"/> produced (kept in the row, so a retry sends the same one).</summary>
    Task<OutboundResult> SendAsync(ActionDefinition action, ActionAccepted message, string body, CancellationToken ct);

    /// <summary>
    /// A preview of <see cref="SendAsync"/>: the same request for <paramref name="body"/>, sent through
    /// <paramref name="capture"/> instead of the network (src/Processor/Preview). A credential this reporter would fetch
    /// at send time (an access token) is <see cref="Preview.PreviewMasking.Mask"/>; the rules say what else to mask.
    /// </summary>
    Task<Preview.MaskingRules> PreviewReportAsync(ActionDefinition action, ActionAccepted message, string body, HttpMessageHandler capture, CancellationToken ct);

    /// <summary>What the answer to <see cref="SendAsync"/> means: <see cref="Step.Done"/>, <see cref="Step.Retry"/> or <see cref="Step.End"/>.</summary>
    Step AfterReport(ActionDefinition action, RequestRecord record, OutboundResult result, int attempt);

    /// <summary>
    /// A request that ends without a report of its own (<see cref="Step.End"/>: its deadline passed, its retries ran out,
    /// its data could not be used): the body that tells the receiver the action names, sent once through
    /// <see cref="SendAsync"/> (with its own retries within its timeout) before the ending is recorded, or <c>null</c>
    /// for none. B2B and SFMC: none (the platform's own timeout tells it); AJO: the status webhook, when the action has one.
    /// </summary>
    string? EndingReport(ActionDefinition action, ActionAccepted message, RequestRecord record, Step.End end, DateTimeOffset now) => null;
}

/// <summary>The adapters and reporters this process knows, by contract name.</summary>
public sealed class ContractRegistry(IEnumerable<IContractAdapter> adapters, IEnumerable<IOutcomeReporter> reporters)
{
    private readonly Dictionary<string, IContractAdapter> _adapters = adapters.ToDictionary(a => a.Contract, StringComparer.Ordinal);
    private readonly Dictionary<string, IOutcomeReporter> _reporters = reporters.ToDictionary(r => r.Contract, StringComparer.Ordinal);

    public IReadOnlyCollection<string> Contracts => _adapters.Keys;

    /// <summary>Whether this process has both halves of the work item's contract.</summary>
    public bool Knows(ActionAccepted message) => _adapters.ContainsKey(message.Contract) && _reporters.ContainsKey(message.Contract);

    /// <summary>The contract's adapter; for a contract this process does not know, one that records the envelope only
    /// (so the Api's row writer and the claim still write a row support can find, and the Processor ends it <c>Failed</c>).</summary>
    public IContractAdapter Adapter(ActionAccepted message) =>
        _adapters.TryGetValue(message.Contract, out var adapter) ? adapter : EnvelopeOnly.Instance;

    /// <summary>The contract's reporter; call only when <see cref="Knows"/>.</summary>
    public IOutcomeReporter Reporter(ActionAccepted message) => _reporters[message.Contract];

    /// <summary>Reason for the row of a work item whose contract this process does not know.</summary>
    public static string UnknownContract(ActionAccepted message) =>
        $"this Processor has no adapter for contract '{LogText.Clean(message.Contract)}' (a newer release queued it?); nothing was delivered. Replay it from the _error queue on a Processor that knows the contract.";

    private sealed class EnvelopeOnly : IContractAdapter
    {
        public static readonly EnvelopeOnly Instance = new();
        public string Contract => "";
        public NewRequest Row(ActionAccepted message) => WorkItemRows.From(message, maskedPayload: null);
        public JsonObject TemplateModel(ActionAccepted message, ActionDefinition action) => throw new InvalidOperationException(UnknownContract(message));
    }
}

public static class ContractRegistration
{
    /// <summary>Plugs a contract into the engine: its adapter and its outcome reporter, nothing else.</summary>
    public static IServiceCollection AddContract<TAdapter, TReporter>(this IServiceCollection services)
        where TAdapter : class, IContractAdapter
        where TReporter : class, IOutcomeReporter
    {
        services.AddSingleton<IContractAdapter, TAdapter>();
        services.AddSingleton<IOutcomeReporter, TReporter>();
        services.TryAddSingleton<ContractRegistry>();
        return services;
    }
}
