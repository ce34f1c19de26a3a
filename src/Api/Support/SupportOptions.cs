namespace ExternalAction.Api.Support;

/// <summary>Credentials of the support API and console (<c>ExternalAction:Support</c>), separate from the platform's.</summary>
public sealed class SupportOptions
{
    public const string Section = "ExternalAction:Support";
    public const string HeaderName = "X-Support-Key";

    /// <summary>Read-only keys (role <c>viewer</c>) accepted in <c>X-Support-Key</c>. None here nor in <see cref="Users"/> = the support endpoints answer 401.</summary>
    public List<string> ApiKeys { get; set; } = [];

    /// <summary>Named support staff, each with a key and a role (<c>viewer</c> reads, <c>operator</c> also replays); the name is recorded with a replay.</summary>
    public List<SupportUser> Users { get; set; } = [];

    /// <summary>Replay from the dead letters.</summary>
    public ReplayOptions Replay { get; set; } = new();

    /// <summary>The console's sign-in cookie lifetime, in minutes (sliding: renewed while in use).</summary>
    public int ConsoleSessionMinutes { get; set; } = 480;

    /// <summary>The console's sign-in with a support key; <c>false</c> leaves only <see cref="Oidc"/> (the support API keeps its keys).</summary>
    public bool ConsoleKeySignIn { get; set; } = true;

    /// <summary>The console's sign-in through an external OpenID Connect provider, when its authority is set.</summary>
    public SupportOidcOptions Oidc { get; set; } = new();

    /// <summary>The console's "needs attention" view lists unfinished requests whose deadline is at most this many minutes away.</summary>
    public int AttentionHorizonMinutes { get; set; } = 15;
}

/// <summary>One named support user.</summary>
public sealed class SupportUser
{
    public string Name { get; set; } = "";
    public string Key { get; set; } = "";
    public string Role { get; set; } = SupportRoles.Viewer;
}

public sealed class ReplayOptions
{
    /// <summary>Messages of the <c>_error</c> queue looked at (and put back in their order) to find the ones to replay.</summary>
    public int MaxScan { get; set; } = 10_000;

    /// <summary>Requests one "replay all matching" takes at most.</summary>
    public int MaxBatch { get; set; } = 500;
}

public static class SupportRoles
{
    public const string Viewer = "viewer";
    public const string Operator = "operator";

    public static IReadOnlyList<string> All { get; } = [Viewer, Operator];
}

/// <summary>Who is asking: the configured user's name and role (read-only keys are named <c>support-key-N</c>).</summary>
public sealed record SupportPrincipal(string Name, string Role)
{
    public bool IsOperator => Role == SupportRoles.Operator;
}
