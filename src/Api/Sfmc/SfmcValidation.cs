using System.Text.Json.Nodes;
using ExternalAction.Actions;
using ExternalAction.Actions.Sfmc;
using ExternalAction.Api.Preview;
using ExternalAction.Contracts.Messaging;
using ExternalAction.Processor.Accessors;
using ExternalAction.Processor.Adapters.Sfmc;
using ExternalAction.Processor.Preview;
using ExternalAction.Store;

namespace ExternalAction.Api.Sfmc;

/// <summary>
/// What <c>validate</c> adds to the readiness checks: a preview of the activity (<see cref="PreviewEngine"/>) for one
/// contact whose in-arguments are placeholders built from the activity's declared arguments (a configurable argument's
/// default where it has one; otherwise a value of its data type and format). Nothing is sent or stored, the suppression
/// list and cap counters are not read and a split's lookup is not called, so the check makes no I/O. Any way the
/// request would fail for every contact is returned in words for a marketer: a template that does not render, a
/// delivery rule or split condition reading a field the execute does not carry, a missing secret, a write-back row
/// that cannot be built.
/// </summary>
public sealed class SfmcValidation(PreviewInputs inputs, PreviewEngine engine)
{
    /// <summary>Why the activity cannot run (one sentence ending in a full stop), or null when the preview went through.</summary>
    public async Task<string?> ProblemAsync(ActionDefinition action, CancellationToken ct)
    {
        var payload = Placeholders(action);
        if (UnknownFields(action, payload) is { } unknown)
            return unknown;
        var input = await inputs.ReadAsync(action, ContractNames.Sfmc, System.Text.Encoding.UTF8.GetBytes(payload.ToJsonString()), null, ct);
        if (input.Problem is { } refused)
            return $"a contact's execute would be refused: {Sentence(refused)}";
        var result = await engine.PreviewAsync(action, input.Message!, channelResponse: null, ct, readStore: false);
        if (result.Rules is { Verdict: "error" } rules)
            return $"its delivery rules cannot be applied to a contact's data: {Sentence(rules.Reason)}";
        foreach (var step in result.Steps)
        {
            if (step.Error is { } error && step.Request is null)
                return step.Step == "delivery"
                    ? $"the {step.Target} message cannot be built from a contact's data: {Sentence(error)}"
                    : $"the Data Extension write-back cannot be built: {Sentence(error)}";
        }
        if (result.Outcome.Status == RequestStatuses.Failed)
            return $"a contact's request would fail: {Sentence(result.Outcome.Detail)}";
        return null;
    }

    /// <summary>
    /// The execute payload of a placeholder contact: every declared in-argument with a value its checks accept. The ids
    /// are fixed placeholders too (nothing of the validate call's body reaches the preview, its messages or the logs).
    /// </summary>
    public static JsonObject Placeholders(ActionDefinition action)
    {
        var arguments = new JsonArray();
        foreach (var argument in action.Sfmc!.InArguments)
            arguments.Add(new JsonObject { [argument.Name] = Placeholder(argument, action.Channel) });
        return new JsonObject
        {
            ["inArguments"] = arguments,
            ["activityId"] = "validate-activity",
            ["definitionInstanceId"] = "validate-definition-instance",
            ["journeyId"] = "validate-journey",
            ["keyValue"] = "validate-contact",
        };
    }

    private static JsonNode Placeholder(SfmcInArgument argument, ChannelDefinition channel)
    {
        if (argument.Configurable && !string.IsNullOrEmpty(argument.Default))
            return JsonValue.Create(argument.Default)!;
        if (argument.Format == "url")
        {
            var host = channel.AllowedHosts.FirstOrDefault() ?? "example.com";
            return JsonValue.Create($"https://{(host.StartsWith("*.", StringComparison.Ordinal) ? "placeholder" + host[1..] : host)}/validate-placeholder")!;
        }
        var text = argument.DataType switch
        {
            "Number" => null,
            "Boolean" => null,
            "Date" => "2026-01-01",
            "Email" => "contact@example.com",
            "Phone" => "+15555550100",
            _ => $"{argument.Name}-placeholder",
        };
        if (text is null)
            return argument.DataType == "Number" ? JsonValue.Create(1)! : JsonValue.Create(true)!;
        return JsonValue.Create(text.Length <= argument.MaxLength ? text : text[..argument.MaxLength])!;
    }

    /// <summary>
    /// A delivery rule or split condition reading a field that no execute carries (a name that is not a declared
    /// in-argument, a B2B field): it would never match, silently. Read over the placeholder contact, where every declared
    /// in-argument has a value.
    /// </summary>
    private static string? UnknownFields(ActionDefinition action, JsonObject payload)
    {
        var (call, problem) = SfmcPayloads.ReadExecute(payload, action);
        if (problem is not null)
            return $"a contact's execute would be refused: {Sentence(problem.Message)}";
        var model = SfmcAdapter.Model(SfmcApi.WorkItem(action, call!, null, DateTimeOffset.UnixEpoch), action);
        var rules = action.Rules;
        var fields = rules.Routes.SelectMany(r => r.When.Select(c => (c.Field, $"route '{r.Name}'")))
            .Concat(rules.Suppression.Rules.SelectMany(r => r.When.Select(c => (c.Field, $"suppression rule '{r.Name}'"))))
            .Concat(new[] { (rules.SendWindow?.ZoneField, "the send window's zoneField"), (rules.SendWindow?.CountryField, "the send window's countryField") }
                .Where(f => f.Item1 is not null).Select(f => (f.Item1!, f.Item2)));
        var declared = string.Join(", ", action.Sfmc!.InArguments.Select(a => a.Name));
        foreach (var (field, where) in fields)
        {
            if (JsonPath.Select(model, field) is null)
                return $"{where} reads '{field}', which a contact's execute does not carry (its in-arguments: {declared}).";
        }
        var input = SfmcBranching.Input(call!);
        foreach (var rule in action.Sfmc.Split?.Decision.Rules ?? [])
        {
            foreach (var condition in rule.When.Where(c => JsonPath.Select(input, c.Path) is null))
                return $"the split's rule '{rule.Id}' reads '{condition.Path}', which a contact's execute does not carry (its in-arguments: {declared}).";
        }
        return null;
    }

    private static string Sentence(string? text)
    {
        var t = (text ?? "unknown").Trim();
        return t.EndsWith('.') ? t : t + ".";
    }
}
