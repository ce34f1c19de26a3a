using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ExternalAction.Processor.Templating;
using ExternalAction.ServiceDefaults.Secrets;
using Microsoft.Extensions.Options;

namespace ExternalAction.Processor.Alerts;

/// <summary>One alert condition as checked: its name, what was measured and the threshold it is compared with.</summary>
public sealed record AlertCondition(string Name, string Title, long Value, int Threshold)
{
    public bool Breached => Threshold > 0 && Value >= Threshold;
}

/// <summary>
/// Posts an alert for each breached condition, at most once per <see cref="AlertOptions.IntervalMinutes"/> per
/// condition (in this process), with a link to the console's needs-attention view. Decides and sends; the numbers come
/// from <see cref="AlertMonitor"/>.
/// </summary>
public sealed class AlertSender(IHttpClientFactory http, SecretResolver secrets, TemplateRenderer templates, IOptions<AlertOptions> options,
    TimeProvider clock, ILogger<AlertSender> logger)
{
    public const string HttpClientName = "externalaction-alerts";

    private readonly Dictionary<string, DateTimeOffset> _lastSent = new(StringComparer.Ordinal);

    /// <summary>Sends what is due; returns the conditions alerted on.</summary>
    public async Task<IReadOnlyList<string>> CheckAsync(IEnumerable<AlertCondition> conditions, CancellationToken ct)
    {
        var o = options.Value;
        var sent = new List<string>();
        if (!o.Enabled)
            return sent;
        foreach (var condition in conditions.Where(c => c.Breached))
        {
            var now = clock.GetUtcNow();
            if (_lastSent.TryGetValue(condition.Name, out var last) && now - last < TimeSpan.FromMinutes(o.IntervalMinutes))
                continue;
            if (await PostAsync(condition, o, ct))
            {
                _lastSent[condition.Name] = now;
                sent.Add(condition.Name);
            }
        }
        return sent;
    }

    private async Task<bool> PostAsync(AlertCondition condition, AlertOptions o, CancellationToken ct)
    {
        var link = o.ConsoleBaseUrl is { Length: > 0 } console
            ? $"{console.TrimEnd('/')}/console/attention#{(condition.Name == AlertMonitor.AtRisk ? "at-risk" : "failed")}"
            : "";
        var model = new JsonObject
        {
            ["condition"] = condition.Name, ["title"] = condition.Title, ["value"] = condition.Value, ["threshold"] = condition.Threshold,
            ["link"] = link, ["intervalMinutes"] = o.IntervalMinutes,
        };
        var text = templates.RenderText(o.Text, model);
        JsonObject body = o.Kind == AlertKinds.Webhook
            ? new JsonObject { ["condition"] = condition.Name, ["title"] = condition.Title, ["value"] = condition.Value, ["threshold"] = condition.Threshold, ["link"] = link, ["text"] = text }
            : new JsonObject { ["text"] = text };
        try
        {
            using var response = await http.CreateClient(HttpClientName).PostAsJsonAsync(new Uri(secrets.Resolve(o.UrlSecret!)), body, ct);
            if (response.IsSuccessStatusCode)
                return true;
            logger.LogWarning("The {Condition} alert was refused (HTTP {Status}); it is tried again at the next check.", condition.Name, (int)response.StatusCode);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            // The URL is a credential (Slack): never in the log line.
            logger.LogWarning("The {Condition} alert could not be sent ({Error}); it is tried again at the next check.", condition.Name, e.GetType().Name);
        }
        return false;
    }
}
