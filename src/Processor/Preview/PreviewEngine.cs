using System.Data.Common;
using System.Text.Json;
using System.Text.Json.Nodes;
using ExternalAction.Actions;
using ExternalAction.Contracts.Messaging;
using ExternalAction.Processor.Delivery;
using ExternalAction.Processor.Engine;
using ExternalAction.Processor.Outbound;
using ExternalAction.Processor.Processing;
using ExternalAction.Processor.Rules;
using ExternalAction.Processor.Templating;
using ExternalAction.ServiceDefaults.Messaging;
using ExternalAction.ServiceDefaults.Secrets;
using ExternalAction.Store;
using Microsoft.Extensions.Options;
using Polly.Registry;

namespace ExternalAction.Processor.Preview;

/// <summary>
/// A dry run of one work item through the lifecycle's real code, sending and storing nothing: the delivery rules
/// (<see cref="DeliveryGate"/> in its read-only mode), the channel's request rendered and "sent" by
/// <see cref="ChannelDelivery"/> through the real Refit clients and HttpClient over a <see cref="RequestCapture"/>
/// instead of the network, the contract's reporter deciding from the simulated answer (accessor values, split path,
/// report body) and building its report the same way, then every captured request masked by
/// <see cref="PreviewMasking"/>. The channel pipelines are a registry of the preview's own, so a preview never takes a
/// place in a channel's concurrency or rate budget. The only I/O is reading the suppression list and the cap counters.
/// </summary>
public sealed class PreviewEngine : IDisposable
{
    private readonly ContractRegistry _contracts;
    private readonly DeliveryGate _gate;
    private readonly TemplateRenderer _templates;
    private readonly SecretResolver _secrets;
    private readonly TimeProvider _clock;
    private readonly ILogger<ChannelDelivery> _deliveryLogger;
    private readonly ResiliencePipelineRegistry<string> _registry = new();
    private readonly OutboundPipelines _pipelines;

    public PreviewEngine(ContractRegistry contracts, DeliveryGate gate, TemplateRenderer templates, SecretResolver secrets, TimeProvider clock,
        IOptions<OutboundOptions> outbound, IOptions<MessagingOptions> messaging, ILogger<ChannelDelivery> deliveryLogger)
    {
        _contracts = contracts;
        _gate = gate;
        _templates = templates;
        _secrets = secrets;
        _clock = clock;
        _deliveryLogger = deliveryLogger;
        _pipelines = new OutboundPipelines(_registry, clock, outbound, messaging);
    }

    /// <param name="channelResponse">What the channel answers in this preview (default 200 <c>{}</c>): accessors and
    /// callback fields that read the response read this.</param>
    /// <param name="readStore">False: the suppression list and the cap counters are not read (no I/O at all; SFMC
    /// <c>validate</c> previews placeholder data with it).</param>
    public async Task<PreviewResult> PreviewAsync(ActionDefinition action, ActionAccepted message, SimulatedResponse? channelResponse, CancellationToken ct, bool readStore = true)
    {
        var now = _clock.GetUtcNow();
        var notes = new List<string>();
        PreviewResult Result(PreviewOutcome outcome, PreviewRules? rules = null, IReadOnlyList<PreviewStep>? steps = null) => new()
        {
            Action = action.Name,
            ActionVersion = action.Version,
            Contract = message.Contract,
            RequestId = message.RequestId,
            At = now,
            Rules = rules,
            Steps = steps ?? [],
            Outcome = outcome,
            Notes = notes,
        };

        if (!_contracts.Knows(message))
            return Result(new PreviewOutcome(RequestStatuses.Failed, ContractRegistry.UnknownContract(message)));
        if (now >= message.Deadline)
            return Result(new PreviewOutcome(RequestStatuses.TimedOut, "the deadline passed before processing"));
        var adapter = _contracts.Adapter(message);
        var reporter = _contracts.Reporter(message);
        var capture = new RequestCapture { Response = channelResponse ?? SimulatedResponse.Default };
        notes.Add(channelResponse is null
            ? "The channel's answer is simulated: HTTP 200 with the body {} (pass channelResponse to preview another answer)."
            : $"The channel's answer is simulated: HTTP {capture.Response.StatusCode} with the body given.");
        var delivery = new ChannelDelivery(ChannelClients.Over(capture), _templates, _pipelines, _secrets, _clock, _deliveryLogger);

        // As ActionProcessor.DeliverAsync: the rules (read-only here), then the channel, then the reporter's decision.
        var routed = action;
        PreviewRules? rules = null;
        DateTimeOffset? deferredUntil = null;
        OutboundResult delivered;
        if (action.Rules.IsEmpty)
            delivered = await delivery.DeliverAsync(action, message, () => adapter.TemplateModel(message, action), ct);
        else
        {
            var trace = new RuleTrace { ReadStore = readStore };
            JsonObject model;
            Verdict verdict;
            try
            {
                model = adapter.TemplateModel(message, action);
                verdict = await _gate.DecideAsync(action, message, model, now, ct, trace);
            }
            catch (Exception e) when (e is not (OperationCanceledException or DbException))
            {
                var reason = $"the delivery rules could not be applied to this request's data: {e.GetType().Name}: {LogText.Clean(e.Message)}";
                rules = new PreviewRules("error", reason, null, null, trace.Checks);
                delivered = new OutboundResult { Failure = FailureKind.Permanent, Error = reason };
                return await DecideAsync(action, message, reporter, delivered, now, null, rules, capture, notes, Result, ct);
            }
            switch (verdict)
            {
                case Verdict.TooLate late:
                    return Result(new PreviewOutcome(RequestStatuses.TimedOut, late.Reason), new PreviewRules("tooLate", late.Reason, null, null, trace.Checks));
                case Verdict.Withheld withheld:
                    rules = new PreviewRules(withheld.Kind, withheld.Reason, withheld.Route, null, trace.Checks);
                    delivered = new OutboundResult { Failure = FailureKind.None, Verdict = withheld.Kind, Error = withheld.Reason, Route = withheld.Route };
                    break;
                case Verdict.Defer defer:
                    // What goes out when the window opens (the list and the caps are checked again then).
                    rules = new PreviewRules("deferred", defer.Reason, defer.Route, defer.Until, trace.Checks);
                    deferredUntil = defer.Until;
                    routed = DeliveryGate.Route(action, model).Routed!;
                    notes.Add($"Outside the send window: the request waits (Deferred) until {defer.Until:O}; the steps are what is sent then, if the suppression list and the caps still allow it.");
                    delivered = await delivery.DeliverAsync(routed, message, () => model, ct) with { Route = defer.Route };
                    break;
                case Verdict.Deliver deliver:
                    rules = new PreviewRules("deliver", deliver.Explanation, deliver.Route, now, trace.Checks);
                    routed = deliver.Routed;
                    delivered = await delivery.DeliverAsync(routed, message, () => model, ct) with { Route = deliver.Route };
                    break;
                default:
                    throw new InvalidOperationException($"Verdict {verdict.GetType().Name} has no preview."); // a bug: the gate returns one of the above
            }
        }
        return await DecideAsync(routed, message, reporter, delivered, deferredUntil ?? now, deferredUntil, rules, capture, notes, Result, ct);
    }

    private async Task<PreviewResult> DecideAsync(ActionDefinition action, ActionAccepted message, IOutcomeReporter reporter, OutboundResult delivered,
        DateTimeOffset at, DateTimeOffset? deferredUntil, PreviewRules? rules, RequestCapture capture, List<string> notes,
        Func<PreviewOutcome, PreviewRules?, IReadOnlyList<PreviewStep>?, PreviewResult> result, CancellationToken ct)
    {
        var requestSecrets = RequestSecrets(action, message);
        var steps = new List<PreviewStep>();
        if (capture.Requests.Count > 0)
            steps.Add(new PreviewStep("delivery", action.Channel.Type, PreviewMasking.Apply(capture.Requests[^1], ChannelMasking(action.Channel, requestSecrets)),
                delivered.Failure == FailureKind.None ? null : delivered.Error));
        else if (delivered.Failure == FailureKind.Permanent)
            steps.Add(new PreviewStep("delivery", action.Channel.Type, null, delivered.Error));

        var step = delivered.Failure == FailureKind.Transient
            ? Decisions.DeliveryRetry(delivered)
            : reporter.AfterDelivery(action, message, delivered, 1, at);
        step = Withholding.Mark(step, delivered);

        PreviewOutcome outcome;
        StatusUpdate? decided = null;
        switch (step)
        {
            case Step.Retry retry:
                decided = retry.Update;
                outcome = new PreviewOutcome(RequestStatuses.RetryScheduled, $"{retry.StepName} failed: {retry.Result.Error}; tried again until the deadline");
                break;
            case Step.Report report:
                decided = report.Update;
                var reportCapture = new RequestCapture();
                string? buildError = null;
                MaskingRules masking = MaskingRules.None;
                try
                {
                    masking = await reporter.PreviewReportAsync(action, message, report.Body, reportCapture, ct);
                }
                catch (Exception e) when (e is UnsafeHeaderException or MissingSecretException or UriFormatException or InvalidOperationException)
                {
                    buildError = e.Message;
                }
                var target = message.Contract switch { ContractNames.B2B => "callback", ContractNames.Sfmc => "dataExtension", _ => "statusWebhook" };
                steps.Add(new PreviewStep("report", target, reportCapture.Requests.Count > 0
                    ? PreviewMasking.Apply(reportCapture.Requests[^1], masking with { SecretValues = [.. masking.SecretValues, .. requestSecrets] })
                    : null, buildError));
                // What the row says once the report is accepted (the reporter's own decision, fed a 200).
                var record = new RequestRecord
                {
                    RequestId = message.RequestId,
                    ActionName = action.Name,
                    ActionVersion = action.Version,
                    Contract = message.Contract,
                    EntityType = message.Identity?.EntityType ?? "",
                    Status = report.Update.Status,
                    Outcome = report.Update.Outcome,
                    LastError = report.Update.LastError,
                    CallbackBody = report.Body,
                };
                var accepted = Withholding.Final(reporter.AfterReport(action, record, new OutboundResult { Failure = FailureKind.None, StatusCode = 200 }, 1), report.Update.Outcome);
                outcome = Outcome(accepted, report.Update) with { Report = ParseOrText(report.Body) };
                notes.Add("The report's answer is simulated: HTTP 200 (accepted).");
                break;
            default:
                outcome = Outcome(step, null);
                decided = step switch { Step.Done d => d.Update, Step.End { Update: { } u } => u, _ => null };
                break;
        }
        outcome = outcome with { DeferredUntil = deferredUntil };
        return result(outcome, rules, steps) with
        {
            AccessorValues = ParseOrText(decided?.AccessorValues),
            AccessorRejections = ParseOrText(decided?.AccessorRejections),
            SelectedPath = decided?.SelectedPathId ?? (message.Data?["branchResult"] is JsonValue b && b.TryGetValue<string>(out var branch) ? branch : null),
        };
    }

    private static PreviewOutcome Outcome(Step step, StatusUpdate? before) => step switch
    {
        Step.Done done => new PreviewOutcome(done.Update.Status, Join(before?.Detail, done.Update.Detail)),
        Step.End end => new PreviewOutcome(end.Status, Join(before?.Detail, end.Reason)),
        Step.Retry retry => new PreviewOutcome(RequestStatuses.RetryScheduled, $"{retry.StepName} failed: {retry.Result.Error}"),
        Step.Wait wait => new PreviewOutcome(wait.Update.Status, wait.Update.Detail),
        Step.Report report => new PreviewOutcome(report.Update.Status, report.Update.Detail),
        _ => throw new InvalidOperationException($"Step {step.GetType().Name} has no preview."),
    };

    private static string? Join(string? first, string? then) =>
        string.IsNullOrEmpty(first) ? then : string.IsNullOrEmpty(then) ? first : $"{first}; then {then}";

    /// <summary>What a channel's request may carry: its secrets' values, its credential headers, a URL taken from a secret.</summary>
    public MaskingRules ChannelMasking(ChannelDefinition channel, IEnumerable<string> requestSecrets)
    {
        List<string?> names = [channel.UrlSecret, channel.Auth.Secret, channel.AuthTokenSecret, channel.ApiTokenSecret];
        if (channel.ClientCertificate is { } certificate)
            names.AddRange(certificate.SecretNames().Select(s => s.Name));
        var values = new List<string>(requestSecrets);
        foreach (var name in names)
        {
            if (name is not null && _secrets.TryResolve(name, out var value))
                values.Add(value);
        }
        List<string> headers = channel.Auth.Type switch
        {
            ChannelAuthTypes.ApiKey => [channel.Auth.HeaderName ?? "X-API-Key"],
            ChannelAuthTypes.Hmac => [channel.Auth.HeaderName ?? "X-Signature"],
            _ => [],
        };
        return new MaskingRules(values, headers, UrlIsCredential: channel.UrlSecret is not null);
    }

    /// <summary>Values the request itself marks secret (SFMC in-arguments declared <c>secret</c>, AJO <c>secretFields</c>).</summary>
    private static List<string> RequestSecrets(ActionDefinition action, ActionAccepted message)
    {
        var values = new List<string>();
        void Add(JsonNode? node)
        {
            if (node is JsonValue v && v.GetValueKind() == JsonValueKind.String)
                values.Add(v.GetValue<string>());
            else if (node is not null and not JsonValue)
                values.Add(node.ToJsonString());
        }
        if (message.Contract == ContractNames.Sfmc && action.Sfmc is { } sfmc)
        {
            foreach (var argument in sfmc.InArguments.Where(a => a.Secret))
                Add(message.Data?["inArguments"]?[argument.Name]);
        }
        if (message.Contract == ContractNames.AjoCustomAction && action.Ajo is { } ajo)
        {
            foreach (var path in ajo.SecretFields)
            {
                JsonNode? node = message.Data?["payload"];
                foreach (var name in (path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path).Split('.'))
                    node = node is JsonObject obj ? obj[name] : null;
                Add(node);
            }
        }
        return values;
    }

    private static JsonNode? ParseOrText(string? text)
    {
        if (text is null)
            return null;
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return JsonValue.Create(text);
        }
    }

    public void Dispose() => _registry.Dispose();
}
