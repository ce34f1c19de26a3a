using System.Text.Json;
using System.Text.Json.Nodes;
using ExternalAction.Actions;
using ExternalAction.Contracts.Json;
using ExternalAction.Contracts.Messaging;
using ExternalAction.Processor.Callbacks;
using ExternalAction.Processor.Engine;
using ExternalAction.Processor.Outbound;
using ExternalAction.Processor.Processing;
using ExternalAction.Store;

namespace ExternalAction.Processor.Adapters.B2B;

/// <summary>
/// AJO B2B External Actions, the Processor's half of the inbound adapter: a work item carries the platform's
/// <c>ExecutionRequest</c>; its row is <see cref="RequestRows.From"/> (token removed, admin and header values masked),
/// its template model <see cref="Templating.TemplateModel"/>.
/// </summary>
public sealed class B2BAdapter : IContractAdapter
{
    public string Contract => ContractNames.B2B;

    public NewRequest Row(ActionAccepted message) => RequestRows.From(message);

    public JsonObject TemplateModel(ActionAccepted message, ActionDefinition action) => Templating.TemplateModel.Create(message, action);
}

/// <summary>
/// AJO B2B's outcome reporter: the callback of contract §4 (<see cref="CallbackBuilder"/>, <see cref="CallbackClient"/>),
/// with the decisions of <see cref="Decisions"/> (<c>CallbackSent</c>, <c>CallbackUnconfirmed</c>, <c>Failed</c>).
/// </summary>
public sealed class B2BCallbackReporter(CallbackClient callbacks, Microsoft.Extensions.Options.IOptions<CallbackOptions> options) : IOutcomeReporter
{
    public string Contract => ContractNames.B2B;

    public Step AfterDelivery(ActionDefinition action, ActionAccepted message, OutboundResult delivered, int attempt, DateTimeOffset now) =>
        Decisions.AfterDelivery(action, message, delivered, attempt, now);

    public Task<OutboundResult> SendAsync(ActionDefinition action, ActionAccepted message, string body, CancellationToken ct) =>
        callbacks.SendAsync(message, body, ct);

    public Step AfterReport(ActionDefinition action, RequestRecord record, OutboundResult result, int attempt) =>
        Decisions.AfterCallback(record, result, attempt);

    /// <summary>The callback as <see cref="CallbackClient"/> builds it; the IMS token (fetched at send time) is masked.</summary>
    public async Task<Preview.MaskingRules> PreviewReportAsync(ActionDefinition action, ActionAccepted message, string body, HttpMessageHandler capture, CancellationToken ct)
    {
        var settings = options.Value;
        var token = string.IsNullOrWhiteSpace(settings.ImsTokenUrl) ? null : Preview.PreviewMasking.Mask;
        using var request = CallbackClient.Request(message, body, token, settings);
        using var client = new HttpClient(capture, disposeHandler: false);
        using var _ = await client.SendAsync(request, ct);
        return Preview.MaskingRules.None;
    }
}
