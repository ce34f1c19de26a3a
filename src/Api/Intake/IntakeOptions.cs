namespace ExternalAction.Api.Intake;

/// <summary>Intake settings (<c>ExternalAction:Intake</c>).</summary>
public sealed class IntakeOptions
{
    public const string Section = "ExternalAction:Intake";

    /// <summary>Used when <see cref="CallbackHosts"/> is not configured.</summary>
    public static IReadOnlyList<string> DefaultCallbackHosts { get; } = ["*.adobe.io", "*.adobe.com"];

    /// <summary>
    /// Hosts a <c>callbackUrl</c> may point at: exact names or <c>*.domain</c> wildcards. The callback carries the
    /// platform's token and our IMS bearer token, so it must only go where the platform lives. Empty = the defaults
    /// (the configuration binder appends to a pre-filled list, so defaults are applied after binding).
    /// </summary>
    public List<string> CallbackHosts { get; set; } = [];

    /// <summary>Used when <see cref="CallbackPorts"/> is not configured: https only on its standard port.</summary>
    public static IReadOnlyList<int> DefaultCallbackPorts { get; } = [443];

    /// <summary>
    /// Ports a <c>callbackUrl</c> may name (its default port when it names none). Empty = the defaults. Loopback
    /// callbacks allowed by <see cref="AllowHttpLoopback"/> may use any port.
    /// </summary>
    public List<int> CallbackPorts { get; set; } = [];

    /// <summary>Development only: accept <c>http://</c> (and https) callback URLs on loopback hosts (127.0.0.1, ::1, localhost), any port.</summary>
    public bool AllowHttpLoopback { get; set; }

    /// <summary>Largest accepted request body.</summary>
    public int MaxBodyBytes { get; set; } = 256 * 1024;

    /// <summary>How long to wait for the broker's publisher confirm before answering 503.</summary>
    public double PublishTimeoutSeconds { get; set; } = 5;

    /// <summary>The <c>Retry-After</c> (seconds) of a 503 for work that could not be queued.</summary>
    public int RetryAfterSeconds { get; set; } = 5;

    /// <summary>Unconfirmed publishes within 10 s (half or more of those tried) after which intake stops trying the broker
    /// for <see cref="BreakSeconds"/> even though its connection looks up (see <see cref="IntakeBreaker"/>).</summary>
    public int BreakAfterFailures { get; set; } = 10;

    /// <summary>How long intake answers 503 at once after such a run of failures, before one trial publish decides.</summary>
    public double BreakSeconds { get; set; } = 1;

    /// <summary>Whether <c>GET /getServiceDefinition</c> needs credentials. The platform reads it when an admin pastes the
    /// OpenAPI URL, before any credential is entered, so it is public by default (it holds no secrets).</summary>
    public bool ServiceDefinitionRequiresAuth { get; set; }

    /// <summary>Base URL the platform reaches this service at; <c>servers[0].url</c> of the OpenAPI document. Empty = taken from the request.</summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary><c>info.x-providerName</c> of the OpenAPI document.</summary>
    public string ProviderName { get; set; } = "ExternalAction";

    /// <summary><c>info.x-supportContact</c> (e-mail or URL) of the OpenAPI document.</summary>
    public string SupportContact { get; set; } = "support@example.com";
}
