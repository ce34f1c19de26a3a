using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ExternalAction.Actions;
using ExternalAction.Api.Intake;
using ExternalAction.Api.Preview;
using ExternalAction.Processor.Preview;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace ExternalAction.Api.Console.Pages;

/// <summary>
/// The preview tool (issue 12 item 5, docs/channels.md#preview): pick an action and contract, edit a sample request
/// (prefilled with a valid one for them) and optionally the channel's simulated answer, and see what would happen
/// through <see cref="PreviewApi.RunAsync"/>, the endpoint's own code. Nothing is sent or stored, so a viewer may use it.
/// Every value is rendered by Razor (HTML-encoded); the engine has masked every credential before the page sees it.
/// </summary>
public sealed class PreviewModel(ActionCatalog catalog, PreviewInputs inputs, PreviewEngine engine, PreviewSamples samples, IOptions<IntakeOptions> intake) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? Action { get; set; }
    [BindProperty(SupportsGet = true)] public string? Contract { get; set; }
    [BindProperty] public string? Sample { get; set; }
    [BindProperty] public string? ChannelStatus { get; set; }
    [BindProperty] public string? ChannelBody { get; set; }

    public IReadOnlyList<ActionDefinition> Actions => catalog.All;
    public ActionDefinition? Chosen { get; private set; }
    public IReadOnlyList<string> Contracts { get; private set; } = [];
    public string? Problem { get; private set; }
    public PreviewResult? Result { get; private set; }

    public IActionResult OnGet()
    {
        if (!Choose())
            return Page();
        Sample = Pretty(samples.For(Chosen!, Contract!));
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!Choose())
            return Page();
        var limit = intake.Value.MaxBodyBytes;
        if (string.IsNullOrWhiteSpace(Sample))
        {
            Problem = "Paste a sample request (a JSON object).";
            return Page();
        }
        if (Encoding.UTF8.GetByteCount(Sample) + Encoding.UTF8.GetByteCount(ChannelBody ?? "") > limit)
        {
            Problem = $"The sample and the channel's answer together exceed {limit} bytes.";
            return Page();
        }
        var envelope = new JsonObject { ["contract"] = Contract };
        try
        {
            envelope["request"] = JsonNode.Parse(Sample, documentOptions: Strict);
        }
        catch (JsonException e)
        {
            Problem = $"The sample is not valid JSON (line {e.LineNumber + 1}, position {e.BytePositionInLine + 1}).";
            return Page();
        }
        if (!string.IsNullOrWhiteSpace(ChannelStatus) || !string.IsNullOrWhiteSpace(ChannelBody))
        {
            if (!int.TryParse(string.IsNullOrWhiteSpace(ChannelStatus) ? "200" : ChannelStatus.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var status))
            {
                Problem = "The channel's status code must be a number (100-599).";
                return Page();
            }
            JsonNode? body;
            try
            {
                // JSON when it reads as JSON, else the text as it stands (a Slack "ok").
                body = string.IsNullOrWhiteSpace(ChannelBody) ? new JsonObject() : JsonNode.Parse(ChannelBody, documentOptions: Strict);
            }
            catch (JsonException)
            {
                body = JsonValue.Create(ChannelBody);
            }
            envelope["channelResponse"] = new JsonObject { ["statusCode"] = status, ["body"] = body };
        }

        var read = PreviewEnvelope.Read(Encoding.UTF8.GetBytes(envelope.ToJsonString()), Contracts);
        if (read.Problem is { } problem)
        {
            Problem = $"{problem.Field}: {problem.Message}.";
            return Page();
        }
        var (input, result) = await PreviewApi.RunAsync(Chosen!, read, null, inputs, engine, ct);
        if (result is null)
        {
            Problem = $"The {Contract} endpoint would refuse this sample: {input.Problem}";
            return Page();
        }
        Result = result;
        return Page();
    }

    /// <summary>The action and contract asked for, or the first of each; false (with a problem) when there is none.</summary>
    private bool Choose()
    {
        Chosen = catalog.Find(Action) ?? (string.IsNullOrEmpty(Action) && catalog.All.Count > 0 ? catalog.All[0] : null);
        if (Chosen is null)
        {
            Problem = catalog.All.Count == 0 ? "This deployment has no actions." : "No action has that name.";
            Action = null;
            return false;
        }
        Action = Chosen.Name;
        Contracts = inputs.Contracts(Chosen);
        if (Contracts.Count == 0)
        {
            Problem = "This action serves no contract.";
            return false;
        }
        if (Contract is null || !Contracts.Contains(Contract))
            Contract = Contracts[0];
        return true;
    }

    /// <summary>JSON laid out for reading; text that is not JSON as it stands. Nothing is added or unmasked.</summary>
    public static string Pretty(JsonNode? node) => node?.ToJsonString(Indented) ?? "";

    public static string Pretty(string? text) => RequestModel.Pretty(text);

    private static readonly JsonDocumentOptions Strict = new() { MaxDepth = 64, AllowDuplicateProperties = false };
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
