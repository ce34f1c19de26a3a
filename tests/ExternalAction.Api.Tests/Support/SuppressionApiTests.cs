using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ExternalAction.Api.Tests.Support;

/// <summary>The suppression list in the support API: operators change it (audited), viewers read it, every address in its normal form.</summary>
[TestFixture]
public sealed class SuppressionApiTests
{
    private const string OperatorKey = "operator-key-0123456789abcdef";
    private ApiFactory _factory = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public void Start()
    {
        _factory = new ApiFactory(new Dictionary<string, string?>
        {
            ["ExternalAction:Support:Users:0:Name"] = "olga",
            ["ExternalAction:Support:Users:0:Key"] = OperatorKey,
            ["ExternalAction:Support:Users:0:Role"] = "operator",
        });
        _client = _factory.CreateClient();
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _client.Dispose();
        _factory.Dispose();
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> Send(HttpMethod method, string path, HttpContent? content = null, string key = OperatorKey)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Add("X-Support-Key", key);
        using var response = await _client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    private static JsonContent Body(string kind, string address, string? reason = "customer asked") => JsonContent.Create(new { kind, address, reason });

    [Test]
    public async Task An_operator_adds_and_removes_an_address_in_its_normal_form_and_the_history_says_who_and_why()
    {
        var (status, added) = await Send(HttpMethod.Post, "/support/suppressions", Body("sms", "+1 (415) 555-0142", "replied STOP"));
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), added.ToString());
        Assert.That((added.GetProperty("address").GetString(), added.GetProperty("changed").GetBoolean()), Is.EqualTo(("+14155550142", true)));

        var (_, list) = await Send(HttpMethod.Get, "/support/suppressions?kind=sms", key: ApiFactory.SupportKey);
        Assert.That(list.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("address").GetString()), Does.Contain("+14155550142"), "a viewer reads the list");

        var (removedStatus, removed) = await Send(HttpMethod.Post, "/support/suppressions/remove", Body("sms", "415-555-0142", "opted back in"));
        Assert.That((removedStatus, removed.GetProperty("changed").GetBoolean()), Is.EqualTo((HttpStatusCode.OK, true)));

        var (_, history) = await Send(HttpMethod.Get, "/support/suppressions/history?kind=sms&address=%2B14155550142");
        Assert.That(history.EnumerateArray().Select(h => (h.GetProperty("change").GetString(), h.GetProperty("changedBy").GetString(), h.GetProperty("reason").GetString())),
            Is.EqualTo(new[] { ("added", "olga", "replied STOP"), ("removed", "olga", "opted back in") }));
    }

    [Test]
    public async Task A_viewer_cannot_change_the_list()
    {
        var (status, body) = await Send(HttpMethod.Post, "/support/suppressions", Body("email", "viewer@example.com"), ApiFactory.SupportKey);
        Assert.That(status, Is.EqualTo(HttpStatusCode.Forbidden), body.ToString());
        var (importStatus, _) = await Send(HttpMethod.Post, "/support/suppressions/import", new StringContent("email,a@example.com,x", Encoding.UTF8, "text/csv"), ApiFactory.SupportKey);
        Assert.That(importStatus, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [TestCase("pigeon", "x", "kind")]
    [TestCase("sms", "not a phone", "address")]
    [TestCase("email", "no-at-sign", "address")]
    [TestCase("email", "a@example.com", "reason", null)]
    public async Task A_bad_entry_is_a_400_naming_the_field(string kind, string address, string field, string? reason = "r")
    {
        var (status, body) = await Send(HttpMethod.Post, "/support/suppressions", Body(kind, address, reason));
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest), body.ToString());
        Assert.That(body.GetProperty("details")[0].GetProperty("field").GetString(), Is.EqualTo(field));
    }

    [Test]
    public async Task A_CSV_import_reports_every_line()
    {
        var csv = "kind,address,reason\nemail,Import.One@Example.com,bounced\nemail,import.one@example.com,again\nsms,not-a-number,x\n\nslack,#Ops-Alerts,\npigeon,coo,x\n";
        var (status, report) = await Send(HttpMethod.Post, "/support/suppressions/import?reason=bulk%20import%202026-12", new StringContent(csv, Encoding.UTF8, "text/csv"));
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), report.ToString());
        Assert.That((report.GetProperty("added").GetInt32(), report.GetProperty("alreadyListed").GetInt32(), report.GetProperty("refused").GetInt32()), Is.EqualTo((2, 1, 2)));
        var lines = report.GetProperty("lines").EnumerateArray().Select(l => (l.GetProperty("line").GetInt32(), l.GetProperty("result").GetString())).ToList();
        Assert.That(lines, Is.EqualTo(new[] { (2, "added"), (3, "already-listed"), (4, "refused"), (6, "added"), (7, "refused") }));

        var (_, history) = await Send(HttpMethod.Get, "/support/suppressions/history?kind=slack&address=ops-alerts");
        Assert.That(history[0].GetProperty("reason").GetString(), Is.EqualTo("bulk import 2026-12"), "a line without a reason takes the import's");
    }
}
