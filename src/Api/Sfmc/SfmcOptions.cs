namespace ExternalAction.Api.Sfmc;

/// <summary>Journey Builder custom activity settings (<c>ExternalAction:Sfmc</c>); the activities themselves are the actions' <c>sfmc</c> sections.</summary>
public sealed class SfmcOptions
{
    public const string Section = "ExternalAction:Sfmc";

    /// <summary>
    /// The Installed Package's JWT signing secret(s), by secret name (<c>Secrets:{name}</c>): one, or two during a rotation
    /// window (a token signed with either is accepted). Journey Builder signs every execute with it (HS256).
    /// </summary>
    public List<SfmcSigningSecret> SigningSecrets { get; set; } = [];

    /// <summary>
    /// Whether save, validate, publish and stop may arrive as plain JSON (Journey Builder has been seen sending them
    /// unsigned). A JWT sent there is always verified. Null = accepted in Development only.
    /// </summary>
    public bool? AcceptUnsignedConfigurationCalls { get; set; }

    /// <summary>Seconds of clock difference allowed on <c>exp</c> (and <c>nbf</c>) when a token carries them.</summary>
    public int ClockSkewSeconds { get; set; } = 60;

    /// <summary>Largest accepted body of an execute or configuration call.</summary>
    public int MaxBodyBytes { get; set; } = 256 * 1024;

    /// <summary>Origins allowed to frame the configuration page (CSP <c>frame-ancestors</c>): Journey Builder's.</summary>
    public List<string> FrameAncestors { get; set; } = [];

    public static IReadOnlyList<string> DefaultFrameAncestors { get; } = ["https://*.exacttarget.com", "https://*.marketingcloudapps.com"];
}

/// <summary>One signing secret: its name, and how its configured text becomes the key's bytes.</summary>
public sealed class SfmcSigningSecret
{
    public string Name { get; set; } = "";

    /// <summary>
    /// <c>text</c>: the secret as shown in the Installed Package, used as UTF-8 bytes (the default). <c>hex</c>: a Key
    /// Management salt key entered as hex, decoded to its original bytes. <c>base64</c>: the bytes as base64.
    /// </summary>
    public string Encoding { get; set; } = SfmcSecretEncodings.Text;
}

public static class SfmcSecretEncodings
{
    public const string Text = "text";
    public const string Hex = "hex";
    public const string Base64 = "base64";
    public static IReadOnlyList<string> All { get; } = [Text, Hex, Base64];
}
