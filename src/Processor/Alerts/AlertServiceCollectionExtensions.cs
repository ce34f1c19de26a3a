using Microsoft.Extensions.Options;

namespace ExternalAction.Processor.Alerts;

public static class AlertServiceCollectionExtensions
{
    public static IServiceCollection AddAlerts(this IServiceCollection services)
    {
        services.AddOptions<AlertOptions>().BindConfiguration(AlertOptions.Section)
            .Validate(o => o.Kind is AlertKinds.Slack or AlertKinds.Webhook, $"{AlertOptions.Section}:Kind must be slack or webhook.")
            .Validate(o => o.AtRiskThreshold >= 0 && o.DeadLetterThreshold >= 0, $"{AlertOptions.Section} thresholds must not be negative.")
            .Validate(o => o.IntervalMinutes is >= 1 and <= 10_080 && o.CheckSeconds is >= 1 and <= 3_600,
                $"{AlertOptions.Section}:IntervalMinutes must be 1-10080 and :CheckSeconds 1-3600.")
            .Validate(o => o.ConsoleBaseUrl is null or "" || Uri.TryCreate(o.ConsoleBaseUrl, UriKind.Absolute, out var u) && u.Scheme is "http" or "https",
                $"{AlertOptions.Section}:ConsoleBaseUrl must be an absolute http(s) URL.")
            .Validate(o => Templating.TemplateRenderer.TryParse(o.Text, out _), $"{AlertOptions.Section}:Text is not a valid Liquid template.")
            .ValidateOnStart();
        services.AddHttpClient(AlertSender.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(10));
        services.AddSingleton<AlertSender>();
        services.AddHostedService<AlertMonitor>();
        return services;
    }
}
