using ExternalAction.Actions;
using Refit;

namespace ExternalAction.Processor.Delivery;

/// <summary>
/// The HTTP clients a delivery sends through: the webhook client (or, for mutual TLS, the one that presents the channel's
/// certificate) and the Refit clients of Slack, Teams, Twilio and Sinch. The Processor's are the outbound clients
/// registered at start-up; a preview (src/Processor/Preview) builds the same Refit clients over a handler that captures
/// the request instead of sending it, so <see cref="ChannelDelivery"/> renders and sends through one code path for both.
/// </summary>
public sealed class ChannelClients
{
    private readonly Func<ChannelClientCertificate?, HttpClient> _webhook;

    public ChannelClients(IHttpClientFactory factory, ISlackWebhookApi slack, ITeamsWebhookApi teams, ITwilioApi twilio, ISinchApi sinch, ClientCertificateClients certificates)
        : this(certificate => certificate is null ? factory.CreateClient(ChannelDelivery.WebhookClient) : certificates.For(certificate), slack, teams, twilio, sinch)
    {
    }

    private ChannelClients(Func<ChannelClientCertificate?, HttpClient> webhook, ISlackWebhookApi slack, ITeamsWebhookApi teams, ITwilioApi twilio, ISinchApi sinch)
    {
        _webhook = webhook;
        Slack = slack;
        Teams = teams;
        Twilio = twilio;
        Sinch = sinch;
    }

    public ISlackWebhookApi Slack { get; }
    public ITeamsWebhookApi Teams { get; }
    public ITwilioApi Twilio { get; }
    public ISinchApi Sinch { get; }

    /// <summary>The webhook client; with a client certificate, the mutual-TLS client that presents it.</summary>
    public HttpClient Webhook(ChannelClientCertificate? certificate) => _webhook(certificate);

    /// <summary>
    /// Every client over <paramref name="terminal"/> in place of the network: the same Refit interfaces and settings
    /// (<see cref="DeliveryServiceCollectionExtensions.Refit"/>), the same base addresses. A client certificate belongs to
    /// the TLS connection, not to the HTTP request, so a webhook with one goes through <paramref name="terminal"/> too.
    /// </summary>
    public static ChannelClients Over(HttpMessageHandler terminal)
    {
        HttpClient Client(string? baseUrl) => new(terminal, disposeHandler: false)
        {
            BaseAddress = baseUrl is null ? null : new Uri(baseUrl),
            Timeout = Timeout.InfiniteTimeSpan,
        };
        var settings = DeliveryServiceCollectionExtensions.Refit;
        var webhook = Client(null);
        return new ChannelClients(
            _ => webhook,
            RestService.For<ISlackWebhookApi>(Client(DeliveryServiceCollectionExtensions.SlackBaseUrl), settings),
            RestService.For<ITeamsWebhookApi>(Client(DeliveryServiceCollectionExtensions.SlackBaseUrl), settings),
            RestService.For<ITwilioApi>(Client(ChannelDelivery.TwilioDefaultBaseUrl), settings),
            RestService.For<ISinchApi>(Client(ChannelUrls.SinchBaseUrl(region: null)), settings));
    }
}
