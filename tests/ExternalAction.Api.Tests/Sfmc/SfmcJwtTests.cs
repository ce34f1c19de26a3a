using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using ExternalAction.TestSupport;
using Microsoft.IdentityModel.Tokens;

namespace ExternalAction.Api.Tests.Sfmc;

/// <summary>
/// The execute JWT table of issue 10: HS256 with the configured secret is accepted (with or without exp); a wrong secret,
/// alg none, HS512, RS256, an expired exp and a JSON body are 401 with a clear body and a log line without the token; a
/// hex salt key is decoded to its bytes; during a rotation the old and the new secret are accepted and a third is not.
/// </summary>
[TestFixture]
public sealed class SfmcJwtTests
{
    private SfmcHost _host = null!;

    [OneTimeSetUp]
    public void Start() => _host = new SfmcHost();

    [OneTimeTearDown]
    public async Task Stop() => await _host.DisposeAsync();

    private static JsonObject Payload(string contact = "contact-jwt") => SfmcJourneyBuilder.Payload(new Dictionary<string, JsonNode?>
    {
        ["contactKey"] = contact, ["webhookUrl"] = "https://hooks.slack.com/services/T0/B0/x", ["messageTemplate"] = "Hello",
    }, contactKey: contact);

    private static string WithClaims(Action<JsonObject> change, string secret = SfmcJourneyBuilder.SigningSecret)
    {
        var payload = Payload();
        change(payload);
        return SfmcJourneyBuilder.Sign(payload, secret);
    }

    public static IEnumerable<TestCaseData> Refused()
    {
        yield return new TestCaseData((Func<string>)(() => SfmcJourneyBuilder.Sign(Payload(), "another-secret-of-enough-length-0123456789abcdef0123456789")), "signature does not match").SetName("A token signed with another secret is 401");
        yield return new TestCaseData((Func<string>)(() => SfmcJourneyBuilder.Unsigned(Payload())), "unsigned (alg none)").SetName("An alg none token is 401");
        yield return new TestCaseData((Func<string>)(() => SfmcJourneyBuilder.Sign(Payload(), Encoding.UTF8.GetBytes(SfmcJourneyBuilder.SigningSecret), SecurityAlgorithms.HmacSha512)), "not signed with HS256").SetName("An HS512 token signed with the right secret is 401");
        yield return new TestCaseData((Func<string>)(() => SfmcJourneyBuilder.SignedRs256(Payload())), "not signed with HS256").SetName("An RS256 token is 401");
        yield return new TestCaseData((Func<string>)(() => WithClaims(p => p["exp"] = DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeSeconds())), "expired").SetName("An expired token is 401");
        yield return new TestCaseData((Func<string>)(() => "not.a.jwt"), "not a compact JWT").SetName("A body that is no JWT is 401");
    }

    [TestCaseSource(nameof(Refused))]
    public async Task Refused_tokens_answer_401_with_the_reason_and_log_it_without_the_token(Func<string> token, string reason)
    {
        var jwt = token();
        using var response = await _host.ExecuteAsync("slack-alert", jwt);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        var body = await SfmcHost.JsonAsync(response);
        Assert.That(body["message"]!.GetValue<string>(), Does.Contain(reason));
        Assert.That(_host.Logs.All, Does.Contain("SFMC execute for action slack-alert refused"));
        Assert.That(_host.Logs.All, Does.Not.Contain(jwt.Split('.')[0] + "." + jwt.Split('.')[1]), "the token never reaches a log line");
        Assert.That(_host.Logs.All, Does.Not.Contain(SfmcJourneyBuilder.SigningSecret));
    }

    [Test]
    public async Task A_token_without_exp_is_accepted()
    {
        using var response = await _host.ExecuteAsync("slack-alert", SfmcJourneyBuilder.Sign(Payload("no-exp")));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        Assert.That((await SfmcHost.JsonAsync(response))["status"]!.GetValue<string>(), Is.EqualTo("queued"));
    }

    [Test]
    public async Task A_token_with_a_future_exp_is_accepted()
    {
        using var response = await _host.ExecuteAsync("slack-alert", WithClaims(p => p["exp"] = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds()));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task A_json_body_instead_of_a_jwt_is_401_saying_useJwt()
    {
        using var response = await _host.Client.PostAsync("/actions/slack-alert/sfmc/execute",
            new StringContent(Payload().ToJsonString(), Encoding.UTF8, "application/json"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((await SfmcHost.JsonAsync(response))["message"]!.GetValue<string>(), Does.Contain("useJwt"));
    }

    [Test]
    public async Task A_hex_salt_key_is_decoded_to_its_bytes()
    {
        var salt = RandomNumberGenerator.GetBytes(32);
        await using var host = new SfmcHost(new Dictionary<string, string?>
        {
            ["Secrets:sfmc-jwt"] = Convert.ToHexString(salt).ToLowerInvariant(),
            ["ExternalAction:Sfmc:SigningSecrets:0:Encoding"] = "hex",
        });
        using var bytes = await host.ExecuteAsync("slack-alert", SfmcJourneyBuilder.Sign(Payload(), salt, SecurityAlgorithms.HmacSha256));
        Assert.That(bytes.StatusCode, Is.EqualTo(HttpStatusCode.OK), await bytes.Content.ReadAsStringAsync());
        using var hexText = await host.ExecuteAsync("slack-alert", SfmcJourneyBuilder.Sign(Payload(), Convert.ToHexString(salt).ToLowerInvariant()));
        Assert.That(hexText.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "the hex text itself is not the key");
    }

    [Test]
    public async Task During_a_rotation_the_old_and_the_new_secret_are_accepted_and_a_third_is_not()
    {
        await using var host = new SfmcHost(secondSecret: SfmcJourneyBuilder.NextSigningSecret);
        using var old = await host.ExecuteAsync("slack-alert", SfmcJourneyBuilder.Sign(Payload("r1"), SfmcJourneyBuilder.SigningSecret));
        using var next = await host.ExecuteAsync("slack-alert", SfmcJourneyBuilder.Sign(Payload("r2"), SfmcJourneyBuilder.NextSigningSecret));
        using var third = await host.ExecuteAsync("slack-alert", SfmcJourneyBuilder.Sign(Payload("r3"), "a-third-secret-nobody-configured-0123456789abcdef0123456789"));
        Assert.That((old.StatusCode, next.StatusCode, third.StatusCode), Is.EqualTo((HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.Unauthorized)));
    }

    [Test]
    public void A_salt_key_shorter_than_256_bits_stops_start_up_saying_so()
    {
        var e = Assert.Catch(() => _ = new SfmcHost(new Dictionary<string, string?>
        {
            ["Secrets:sfmc-jwt"] = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)),
            ["ExternalAction:Sfmc:SigningSecrets:0:Encoding"] = "hex",
        }));
        Assert.That(e!.ToString(), Does.Contain("16-byte key").And.Contain("at least 32 bytes"));
    }
}
