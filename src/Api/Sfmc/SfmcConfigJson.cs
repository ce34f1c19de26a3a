using System.Text.Json.Nodes;
using ExternalAction.Actions;
using ExternalAction.Actions.Sfmc;
using ExternalAction.Api.Intake;

namespace ExternalAction.Api.Sfmc;

/// <summary>
/// The activity's <c>config.json</c>, generated from the action: <c>REST</c>, or <c>RESTDECISION</c> with <c>outcomes</c>
/// for a split; the in-arguments with their data bindings (a per-journey value starts as its default and is set by the
/// configuration page); <c>schema</c> in and out arguments with data types; every URL absolute, from
/// <c>ExternalAction:Intake:PublicBaseUrl</c> (https outside Development, checked at start-up); <c>useJwt</c> true.
/// </summary>
public static class SfmcConfigJson
{
    public static JsonObject Build(ActionDefinition action, string endpoint)
    {
        var sfmc = action.Sfmc!;
        var inArguments = new JsonArray(sfmc.InArguments.Select(a => (JsonNode)new JsonObject { [a.Name] = a.Binding ?? a.Default ?? "" }).ToArray());
        var schemaIn = new JsonArray(sfmc.InArguments.Select(a => (JsonNode)new JsonObject
        {
            [a.Name] = new JsonObject { ["dataType"] = a.DataType, ["isNullable"] = !a.Required, ["direction"] = "in", ["access"] = "visible" },
        }).ToArray());
        var schemaOut = new JsonArray(sfmc.Answers.Where(o => o.Value != SfmcOutValues.BranchResult).Select(o => (JsonNode)new JsonObject
        {
            [o.Name] = new JsonObject { ["dataType"] = o.DataType, ["direction"] = "out", ["access"] = "visible" },
        }).ToArray());
        var e = sfmc.Execute;
        var config = new JsonObject
        {
            ["workflowApiVersion"] = "1.1",
            ["key"] = $"externalaction-{action.Name}",
            ["metaData"] = new JsonObject { ["icon"] = "images/icon.svg", ["category"] = sfmc.Category },
            ["type"] = sfmc.IsDecision ? "RESTDECISION" : "REST",
            ["lang"] = new JsonObject
            {
                ["en-US"] = new JsonObject { ["name"] = sfmc.Label ?? action.Name, ["description"] = sfmc.Description ?? "" },
            },
            ["arguments"] = new JsonObject
            {
                ["execute"] = new JsonObject
                {
                    ["inArguments"] = inArguments,
                    ["outArguments"] = new JsonArray(),
                    ["url"] = $"{endpoint}/execute",
                    ["verb"] = "POST",
                    ["format"] = "json",
                    ["useJwt"] = true,
                    ["timeout"] = e.Timeout,
                    ["retryCount"] = e.RetryCount,
                    ["retryDelay"] = e.RetryDelay,
                    ["concurrentRequests"] = e.ConcurrentRequests,
                },
            },
            ["configurationArguments"] = new JsonObject
            {
                ["save"] = new JsonObject { ["url"] = $"{endpoint}/save" },
                ["publish"] = new JsonObject { ["url"] = $"{endpoint}/publish" },
                ["validate"] = new JsonObject { ["url"] = $"{endpoint}/validate" },
                ["stop"] = new JsonObject { ["url"] = $"{endpoint}/stop" },
            },
            ["wizardSteps"] = new JsonArray(new JsonObject { ["label"] = "Configure", ["key"] = "step1" }),
            ["userInterfaces"] = new JsonObject
            {
                ["configInspector"] = new JsonObject { ["size"] = "scm-lg", ["emptyIframe"] = true },
            },
            ["schema"] = new JsonObject
            {
                ["arguments"] = new JsonObject
                {
                    ["execute"] = new JsonObject { ["inArguments"] = schemaIn, ["outArguments"] = schemaOut },
                },
            },
        };
        if (sfmc.IsDecision)
            config["outcomes"] = new JsonArray(sfmc.Outcomes.Select(o => (JsonNode)new JsonObject
            {
                ["arguments"] = new JsonObject { ["branchResult"] = o.Key },
                ["metaData"] = new JsonObject { ["label"] = o.Label ?? o.Key },
            }).ToArray());
        return config;
    }

    /// <summary>
    /// The absolute URL the activity is served at (no trailing slash): the configured public base URL, else the request's
    /// own scheme and host, then <c>/actions/{name}/sfmc</c>, or <c>/sfmc</c> at the root of a one-action deployment.
    /// </summary>
    public static string Endpoint(HttpRequest request, IntakeOptions intake, ActionDefinition action, bool atRoot)
    {
        var origin = string.IsNullOrWhiteSpace(intake.PublicBaseUrl)
            ? $"{request.Scheme}://{request.Host.ToUriComponent()}{request.PathBase.ToUriComponent()}"
            : intake.PublicBaseUrl.TrimEnd('/');
        return atRoot ? $"{origin}/sfmc" : $"{origin}/actions/{Uri.EscapeDataString(action.Name)}/sfmc";
    }
}
