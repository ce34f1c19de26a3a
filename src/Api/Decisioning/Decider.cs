using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ExternalAction.Actions;
using ExternalAction.Actions.Decisioning;
using ExternalAction.Contracts.Platform;
using ExternalAction.Contracts.ServiceDefinitions;
using ExternalAction.Processor.Accessors;
using ExternalAction.Processor.PathConditions;
using ExternalAction.Processor.Templating;
using ExternalAction.ServiceDefaults.Secrets;
using Polly;
using Polly.Timeout;

namespace ExternalAction.Api.Decisioning;

/// <summary>
/// Decides a contract's synchronous answer (<see cref="DecisionSpec"/>) within a time budget, whatever the contract: rules
/// over the input through the path evaluator, else the bounded lookup, else the fallback. Never throws for anything the
/// input, the lookup or its response does; only the caller's own cancellation escapes. The lookup runs through a Polly
/// timeout set to what is left of the budget, on an outbound client with the Processor's address policy and no redirects.
/// </summary>
public sealed class Decider(IHttpClientFactory clients, TemplateRenderer templates, SecretResolver secrets, TimeProvider time, ILogger<Decider> logger)
{
    public const string ClientName = "ExternalAction.DecisionLookup";

    /// <summary>What a lookup response may weigh: a decision endpoint answers a few fields.</summary>
    public const int MaxResponseBytes = 256 * 1024;

    private static readonly ResiliencePropertyKey<TimeSpan> Remaining = new("ExternalAction.Decisioning.Remaining");

    // The timeout is whatever is left of the caller's budget, read per call from the context.
    private static readonly ResiliencePipeline Timeout = new ResiliencePipelineBuilder()
        .AddTimeout(new TimeoutStrategyOptions { TimeoutGenerator = args => ValueTask.FromResult(args.Context.Properties.GetValue(Remaining, TimeSpan.Zero)) })
        .Build();

    /// <summary>The prefix of a fallback's reason when a preview did not call the lookup.</summary>
    public const string LookupNotCalled = "a preview does not call the lookup";

    /// <param name="lookup">False in a preview: when the rules do not decide, the lookup is not called and the fallback answers.</param>
    public async Task<Decision> DecideAsync(JsonObject input, DecisionSpec spec, TimeSpan budget, CancellationToken ct, bool lookup = true)
    {
        var started = time.GetTimestamp();
        var decision = lookup || spec.Lookup is null || Choose(spec.Rules, input).Rule is not null
            ? await DecideCoreAsync(input, spec, budget, started, ct)
            : Fallback(spec, LookupNotCalled);
        decision = decision with { Elapsed = time.GetElapsedTime(started) };
        if (decision.Source == DecisionSource.Fallback && spec.Lookup is not null)
            logger.LogInformation("Decision by fallback: {Reason}", decision.Reason);
        else
            logger.LogDebug("Decision by {Summary}", decision.Summary);
        return decision;
    }

    private async Task<Decision> DecideCoreAsync(JsonObject input, DecisionSpec spec, TimeSpan budget, long started, CancellationToken ct)
    {
        var chosen = Choose(spec.Rules, input);
        if (chosen.Rule is { } rule)
            return new Decision(rule.Result?.DeepClone(), DecisionSource.Rule, rule.Id, chosen.Explanation, TimeSpan.Zero);
        if (spec.Lookup is not { } lookup)
            return Fallback(spec, chosen.Explanation);

        var remaining = budget - time.GetElapsedTime(started);
        if (remaining <= TimeSpan.Zero)
            return Fallback(spec, $"the budget of {budget.TotalMilliseconds:0} ms was spent before the lookup");

        var context = ResilienceContextPool.Shared.Get(ct);
        context.Properties.Set(Remaining, remaining);
        try
        {
            var response = await Timeout.ExecuteAsync(static (ctx, state) => state.self.CallAsync(state.lookup, state.input, ctx.CancellationToken), context, (self: this, lookup, input));
            return response.Failure is { } failure ? Fallback(spec, failure) : FromResponse(spec, lookup, response.Body!);
        }
        catch (TimeoutRejectedException)
        {
            return Fallback(spec, $"the lookup took longer than the {remaining.TotalMilliseconds:0} ms left of the {budget.TotalMilliseconds:0} ms budget");
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private readonly record struct LookupResponse(JsonNode? Body, string? Failure);

    private async ValueTask<LookupResponse> CallAsync(DecisionLookup lookup, JsonObject input, CancellationToken ct)
    {
        Uri url;
        try
        {
            url = templates.RenderUrl(lookup.Url, input);
        }
        catch (TemplateException)
        {
            // The reason names the configuration only: the message may quote the rendered (platform) value.
            return new(null, "the lookup URL cannot be rendered from this call's data");
        }

        using var request = new HttpRequestMessage(new HttpMethod(lookup.Method), url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        try
        {
            // The same header checks as every outbound request (no CR/LF, no control or non-ASCII characters).
            foreach (var (name, value) in lookup.Headers)
                Processor.Outbound.OutboundHeaders.Add(request, name, value);
            if (Authorize(request, lookup.Auth) is { } authProblem)
                return new(null, authProblem);
        }
        catch (Processor.Outbound.UnsafeHeaderException e)
        {
            return new(null, $"the lookup request cannot be built: {e.Message}");
        }

        try
        {
            using var response = await clients.CreateClient(ClientName).SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
            if (!response.IsSuccessStatusCode)
                return new(null, $"the lookup answered {(int)response.StatusCode}");
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            var node = await JsonNode.ParseAsync(body, cancellationToken: ct);
            return node is null ? new(null, "the lookup answered JSON null") : new(node, null);
        }
        catch (JsonException)
        {
            return new(null, "the lookup answered something that is not JSON");
        }
        catch (HttpRequestException e)
        {
            // Type names only: an exception message may carry the URL, whose query holds the call's data.
            return new(null, $"the lookup failed ({(e.InnerException ?? e).GetType().Name})");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new(null, "the lookup was cancelled by its client");
        }
    }

    private string? Authorize(HttpRequestMessage request, ChannelAuth auth)
    {
        if (auth.Type == ChannelAuthTypes.None)
            return null;
        if (auth.Secret is null || !secrets.TryResolve(auth.Secret, out var secret))
            return $"the lookup's secret '{auth.Secret}' is not configured";
        switch (auth.Type)
        {
            case ChannelAuthTypes.Bearer:
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
                break;
            case ChannelAuthTypes.Basic:
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{auth.Username}:{secret}")));
                break;
            case ChannelAuthTypes.ApiKey:
                Processor.Outbound.OutboundHeaders.Add(request, auth.HeaderName ?? "X-API-Key", secret);
                break;
            default:
                return $"the lookup's auth type '{auth.Type}' is not supported";
        }
        return null;
    }

    private static Decision FromResponse(DecisionSpec spec, DecisionLookup lookup, JsonNode response)
    {
        if (lookup.Rules.Count > 0)
        {
            if (response is not JsonObject document)
                return Fallback(spec, "the lookup's response is not a JSON object");
            var chosen = Choose(lookup.Rules, document);
            return chosen.Rule is { } rule
                ? new Decision(rule.Result?.DeepClone(), DecisionSource.Lookup, rule.Id, chosen.Explanation, TimeSpan.Zero)
                : Fallback(spec, $"no rule over the lookup's response matched: {chosen.Explanation}");
        }

        var result = new JsonObject();
        foreach (var (field, path) in lookup.Fields)
        {
            if (JsonPath.Select(response, path) is not { } value)
                return Fallback(spec, $"the lookup's response has no value at '{path}' (field '{field}')");
            result[field] = value.DeepClone();
        }
        return new Decision(result, DecisionSource.Lookup, null, $"{lookup.Fields.Count} field(s) from the response", TimeSpan.Zero);
    }

    private static Decision Fallback(DecisionSpec spec, string why) =>
        new(spec.Fallback?.DeepClone(), DecisionSource.Fallback, null, why, TimeSpan.Zero);

    /// <summary>
    /// The first rule whose conditions hold over <paramref name="document"/>, evaluated by <see cref="PathEvaluator"/>: each
    /// condition's path is its accessor, the value at that path its accessor value, its data type the accessor's metadata.
    /// </summary>
    internal static (DecisionRule? Rule, string Explanation) Choose(IReadOnlyList<DecisionRule> rules, JsonNode document)
    {
        if (rules.Count == 0)
            return (null, "no rules");
        var values = new JsonObject();
        var metadata = new List<AccessorMetadata>();
        foreach (var condition in rules.SelectMany(r => r.When))
        {
            if (values.ContainsKey(condition.Path))
                continue;
            values[condition.Path] = JsonPath.Select(document, condition.Path)?.DeepClone();
            if (condition.DataType is { } type)
                metadata.Add(new AccessorMetadata { AccessorName = condition.Path, DataType = type });
        }
        var paths = rules.Select(r => new PathConfig
        {
            PathId = r.Id,
            PathDefinition = [.. r.When.Select(c => new PathCondition { Accessor = c.Path, Operator = c.Operator, Values = c.Values })],
        }).ToList();
        var selection = PathEvaluator.Select(paths, values, metadata);
        return (selection.PathId is { } id ? rules.First(r => r.Id == id) : null, selection.Explanation);
    }
}
