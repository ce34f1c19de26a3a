using ExternalAction.Actions.Decisioning;

namespace ExternalAction.Actions.Sfmc;

/// <summary>
/// The <c>sfmc</c> section of an action: how the action shows itself to Salesforce Marketing Cloud Journey Builder as a
/// custom activity (what <c>config.json</c> says, which in-arguments <c>execute</c> carries, what it answers) and the
/// optional Data Extension write-back. Journey Builder's own names are kept where they exist (inArguments, outcomes,
/// timeout, retryCount, retryDelay, concurrentRequests); see docs/sfmc.md.
/// </summary>
public sealed record SfmcActivity
{
    /// <summary>What the marketer sees on the canvas (<c>lang.en-US.name</c>).</summary>
    public string? Label { get; init; }
    public string? Description { get; init; }
    /// <summary><c>metaData.category</c>: <c>message</c>, <c>customer</c>, <c>flow</c>.</summary>
    public string Category { get; init; } = "message";

    /// <summary>The values Journey Builder sends with each contact, in the order given.</summary>
    public List<SfmcInArgument> InArguments { get; init; } = [];

    /// <summary>What <c>execute</c> answers besides <c>branchResult</c> (default: <c>requestId</c> and <c>status</c>).</summary>
    public List<SfmcOutArgument>? OutArguments { get; init; }

    /// <summary>Journey Builder's execute settings, checked at start-up against its ranges.</summary>
    public SfmcExecuteSettings Execute { get; init; } = new();

    /// <summary>Branches of a split (<c>RESTDECISION</c>); empty for a plain activity (<c>REST</c>).</summary>
    public List<SfmcOutcome> Outcomes { get; init; } = [];

    /// <summary>How <c>execute</c> picks the branch when <see cref="Outcomes"/> are declared.</summary>
    public SfmcSplit? Split { get; init; }

    /// <summary>Optional: write each request's outcome to a Data Extension through Marketing Cloud's REST API.</summary>
    public SfmcWriteBack? WriteBack { get; init; }

    public bool IsDecision => Outcomes.Count > 0;

    /// <summary>The out-arguments <c>execute</c> answers with.</summary>
    public IReadOnlyList<SfmcOutArgument> Answers => OutArguments ??
        [new SfmcOutArgument { Name = "requestId", Value = SfmcOutValues.RequestId }, new SfmcOutArgument { Name = "status", Value = SfmcOutValues.Status }];
}

/// <summary>One in-argument: a data binding Journey Builder resolves per contact, or a value the marketer sets per journey.</summary>
public sealed record SfmcInArgument
{
    /// <summary>The key of the one-key object Journey Builder sends (<c>{"contactKey":"…"}</c>); templates read <c>inArguments.&lt;name&gt;</c>.</summary>
    public required string Name { get; init; }
    /// <summary>A Journey Builder data binding (<c>{{Contact.Key}}</c>, <c>{{Contact.Attribute.DE.Field}}</c>, <c>{{Event.key."Field"}}</c>…); null for a per-journey value.</summary>
    public string? Binding { get; init; }
    /// <summary>The marketer sets this value on the configuration page, once per journey (instead of a binding, or over its default).</summary>
    public bool Configurable { get; init; }
    /// <summary>A configurable argument's value before the marketer changes it.</summary>
    public string? Default { get; init; }
    /// <summary>Label on the configuration page.</summary>
    public string? Label { get; init; }
    /// <summary><c>Text</c>, <c>Number</c>, <c>Date</c>, <c>Email</c>, <c>Phone</c>, <c>Boolean</c>.</summary>
    public string DataType { get; init; } = SfmcDataTypes.Text;
    public bool Required { get; init; }
    /// <summary>Masked in the status row and support's views (a Slack webhook URL is a credential).</summary>
    public bool Secret { get; init; }
    /// <summary><c>url</c>: an https URL whose host must be one of the action's <c>channel.allowedHosts</c>; checked at execute.</summary>
    public string? Format { get; init; }
    /// <summary>Longest accepted value (characters).</summary>
    public int MaxLength { get; init; } = 4096;
}

public sealed record SfmcOutArgument
{
    public required string Name { get; init; }
    /// <summary><see cref="SfmcOutValues"/>: what the answer carries under <see cref="Name"/>.</summary>
    public required string Value { get; init; }
    public string DataType { get; init; } = SfmcDataTypes.Text;
}

public static class SfmcOutValues
{
    public const string RequestId = "requestId";
    public const string Status = "status";
    public const string BranchResult = "branchResult";
    public static IReadOnlyList<string> All { get; } = [RequestId, Status, BranchResult];
}

public static class SfmcDataTypes
{
    public const string Text = "Text";
    public static IReadOnlyList<string> All { get; } = [Text, "Number", "Date", "Email", "Phone", "Boolean"];
}

/// <summary>Journey Builder's execute settings (ranges from the official example's README).</summary>
public sealed record SfmcExecuteSettings
{
    /// <summary>Milliseconds Journey Builder waits for execute (1,000–100,000).</summary>
    public int Timeout { get; init; } = 10_000;
    /// <summary>Retries after a network error, 5xx or timeout (0–5).</summary>
    public int RetryCount { get; init; } = 3;
    /// <summary>Milliseconds between retries (0–10,000).</summary>
    public int RetryDelay { get; init; } = 1_000;
    /// <summary>Executes in flight at once (1–50).</summary>
    public int ConcurrentRequests { get; init; } = 5;
    /// <summary>Minutes the delivery may be retried after the 200 (the work item's deadline).</summary>
    public int DeliveryDeadlineMinutes { get; init; } = 60;
}

/// <summary>One branch of a split: <c>outcomes[].arguments.branchResult</c> and its label.</summary>
public sealed record SfmcOutcome
{
    public required string Key { get; init; }
    public string? Label { get; init; }
}

/// <summary>
/// How execute picks the branch: the contract-neutral decision (<see cref="DecisionSpec"/>: rules over the execute's
/// input, else a bounded lookup, else its fallback), whose results are outcome keys, within <see cref="BudgetMs"/>.
/// The input the rules and the lookup read is <c>{"inArguments":{…},"keyValue","journeyId","definitionInstanceId","activityId"}</c>.
/// </summary>
public sealed record SfmcSplit
{
    public required DecisionSpec Decision { get; init; }
    /// <summary>Milliseconds the answer may wait for the decision; below <see cref="SfmcExecuteSettings.Timeout"/>.</summary>
    public int BudgetMs { get; init; } = 1_000;
}

/// <summary>
/// Data Extension write-back: after the delivery, one row per request upserted through
/// <c>POST https://&lt;subdomain&gt;.rest.marketingcloudapis.com/data/v1/async/dataextensions/key:&lt;key&gt;/rows</c>,
/// authenticated with a client-credentials token from <c>https://&lt;subdomain&gt;.auth.marketingcloudapis.com/v2/token</c>.
/// </summary>
public sealed record SfmcWriteBack
{
    /// <summary>The tenant's subdomain (the part before <c>.auth.marketingcloudapis.com</c>).</summary>
    public required string Subdomain { get; init; }
    public required string ClientId { get; init; }
    /// <summary>Name of the secret holding the Installed Package's client secret.</summary>
    public required string ClientSecretSecret { get; init; }
    /// <summary>The business unit's MID (<c>account_id</c>), when the package serves several.</summary>
    public string? AccountId { get; init; }
    /// <summary>External key of the Data Extension.</summary>
    public required string DataExtensionKey { get; init; }
    /// <summary>Column → Liquid template over the template model plus <c>outcome</c> (<c>status</c>, <c>statusCode</c>, <c>error</c>).</summary>
    public Dictionary<string, string> Fields { get; init; } = [];
    /// <summary>Development and tests: the auth and REST base URLs instead of the ones derived from <see cref="Subdomain"/>.</summary>
    public string? AuthBaseUrl { get; init; }
    public string? RestBaseUrl { get; init; }

    public Uri AuthBase => new(AuthBaseUrl ?? $"https://{Subdomain}.auth.marketingcloudapis.com/");
    public Uri RestBase => new(RestBaseUrl ?? $"https://{Subdomain}.rest.marketingcloudapis.com/");
}
