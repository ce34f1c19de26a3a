using System.Text;
using ExternalAction.Processor.Preview;

namespace ExternalAction.Processor.Tests.Preview;

/// <summary>The one masking rule of previews (PreviewMasking): credentials by header name, secret URLs, secret values anywhere.</summary>
[TestFixture]
public sealed class PreviewMaskingTests
{
    private static CapturedRequest Request(string url, string? body, params (string Name, string Value)[] headers) =>
        new("POST", new Uri(url), headers.Select(h => new KeyValuePair<string, string>(h.Name, h.Value)).ToList(), body is null ? null : Encoding.UTF8.GetBytes(body));

    private static PreviewHeader Header(PreviewRequest request, string name) => request.Headers.Single(h => h.Name == name);

    [TestCase("Authorization", "Bearer abc.def.ghi", "Bearer ***")]
    [TestCase("Authorization", "Basic dXNlcjpwYXNz", "Basic ***")]
    [TestCase("authorization", "token-without-scheme", "***")]
    [TestCase("Proxy-Authorization", "Basic eA==", "Basic ***")]
    [TestCase("X-Callback-Token", "single-use-token", "***")]
    [TestCase("X-API-Key", "key-value", "***")]
    [TestCase("Cookie", "session=1", "***")]
    [TestCase("X-Signature", "sha256=00ff", "***")]
    public void Credential_headers_are_masked_by_name_keeping_only_the_scheme_word(string name, string value, string shown)
    {
        var masked = PreviewMasking.Apply(Request("https://example.com/x", null, (name, value)), MaskingRules.None);
        Assert.That(Header(masked, name).Value, Is.EqualTo(shown));
        Assert.That(Header(masked, name).Masked, Is.True);
    }

    [Test]
    public void The_step_s_own_api_key_and_signature_headers_are_masked_and_other_headers_are_kept()
    {
        var masked = PreviewMasking.Apply(Request("https://example.com/x", "{}", ("X-Partner-Key", "k-123456"), ("X-Hub-Signature", "sha256=ab"), ("X-Signature-Timestamp", "1700000000"), ("X-Journey", "Q4")),
            new MaskingRules([], ["X-Partner-Key", "x-hub-signature"], false));
        Assert.That(Header(masked, "X-Partner-Key").Value, Is.EqualTo("***"));
        Assert.That(Header(masked, "X-Hub-Signature").Value, Is.EqualTo("***"));
        Assert.That(Header(masked, "X-Signature-Timestamp"), Is.EqualTo(new PreviewHeader("X-Signature-Timestamp", "1700000000", false)));
        Assert.That(Header(masked, "X-Journey"), Is.EqualTo(new PreviewHeader("X-Journey", "Q4", false)));
    }

    [Test]
    public void A_url_taken_from_a_secret_keeps_only_its_origin()
    {
        var masked = PreviewMasking.Apply(Request("https://hooks.slack.com/services/T000/B000/XXXXSECRET", "{}"), new MaskingRules([], [], UrlIsCredential: true));
        Assert.That(masked.Url, Is.EqualTo("https://hooks.slack.com/***"));
        Assert.That(masked.UrlMasked, Is.True);
        var port = PreviewMasking.Apply(Request("http://127.0.0.1:8080/hook/abc", null), new MaskingRules([], [], UrlIsCredential: true));
        Assert.That(port.Url, Is.EqualTo("http://127.0.0.1:8080/***"));
    }

    [Test]
    public void A_secret_value_is_replaced_wherever_it_appears_even_percent_encoded_in_the_url()
    {
        const string secret = "s3cr3t value/+";
        var url = "https://example.com/a?k=" + Uri.EscapeDataString(secret);
        var masked = PreviewMasking.Apply(Request(url, $$"""{"note":"{{secret}}"}""", ("X-Custom", "pre-" + secret)), new MaskingRules([secret], [], false));
        Assert.That(masked.Url, Is.EqualTo("https://example.com/a?k=***"));
        Assert.That(masked.Body, Is.EqualTo("""{"note":"***"}"""));
        Assert.That(Header(masked, "X-Custom"), Is.EqualTo(new PreviewHeader("X-Custom", "pre-***", true)));
    }

    [Test]
    public void Userinfo_in_a_url_is_masked()
    {
        var masked = PreviewMasking.Apply(Request("https://user:pa55word@example.com/x?y=1", null), MaskingRules.None);
        Assert.That(masked.Url, Is.EqualTo("https://***@example.com/x?y=1"));
        Assert.That(masked.Url, Does.Not.Contain("pa55word"));
    }

    [Test]
    public void Very_short_secrets_are_not_searched_for_and_nothing_else_changes()
    {
        var masked = PreviewMasking.Apply(Request("https://example.com/abc", "abc", ("X-A", "abc")), new MaskingRules(["abc"], [], false));
        Assert.That(masked.Url, Is.EqualTo("https://example.com/abc"));
        Assert.That(masked.Body, Is.EqualTo("abc"));
        Assert.That(masked.UrlMasked, Is.False);
    }

    [Test]
    public void A_binary_body_is_shown_as_base64_unless_it_holds_a_secret()
    {
        var bytes = new byte[] { 0xff, 0xfe, 0x00, 0x41 };
        var plain = PreviewMasking.Apply(new CapturedRequest("POST", new Uri("https://example.com/"), [], bytes), MaskingRules.None);
        Assert.That(plain.BodyBase64, Is.EqualTo(Convert.ToBase64String(bytes)));
        Assert.That(plain.Body, Is.Null);
        byte[] secret = [0xff, 0xfe, .. Encoding.UTF8.GetBytes("hidden-key")];
        var hidden = PreviewMasking.Apply(new CapturedRequest("POST", new Uri("https://example.com/"), [], secret), new MaskingRules(["hidden-key"], [], false));
        Assert.That(hidden.BodyBase64, Is.EqualTo(PreviewMasking.Mask));
    }
}
