using System.Net;
using System.Text;
using ExternalAction.Bench.EndToEnd;

namespace ExternalAction.Bench.Tests;

public sealed class CallbackSinkTests
{
    private static readonly HttpClient Http = new();

    private static HttpRequestMessage Callback(string url, string token, string? requestId, bool success = true)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent("""{"objectData":[{"activityData":{"success":""" + (success ? "true" : "false") + """},"leadData":{"id":1}}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Callback-Token", token);
        if (requestId is not null)
            request.Headers.Add("X-Request-Id", requestId);
        return request;
    }

    [Test]
    public async Task A_callback_is_matched_by_its_X_Callback_Token_header_not_its_path()
    {
        var ledger = new CallbackLedger();
        ledger.Sent("tok-1", System.Diagnostics.Stopwatch.GetTimestamp());
        ledger.Acknowledged("tok-1", "req-1");
        await using var sink = await CallbackSink.StartAsync(0, ledger);

        using var response = await Http.SendAsync(Callback($"{sink.Url}/callback/some-other-path", "tok-1", "req-1"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(ledger.Snapshot().Single().Callbacks, Is.EqualTo(1));
        Assert.That(sink.EndToEnd.TotalCount, Is.EqualTo(1));
    }

    [Test]
    public async Task Duplicates_and_failure_reports_are_recorded_once_in_the_latency()
    {
        var ledger = new CallbackLedger();
        ledger.Sent("tok-1", System.Diagnostics.Stopwatch.GetTimestamp());
        await using var sink = await CallbackSink.StartAsync(0, ledger);

        (await Http.SendAsync(Callback($"{sink.Url}/callback/x", "tok-1", null, success: false))).Dispose();
        (await Http.SendAsync(Callback($"{sink.Url}/callback/x", "tok-1", null))).Dispose();

        var entry = ledger.Snapshot().Single();
        Assert.That(entry.Callbacks, Is.EqualTo(2));
        Assert.That(entry.ReportedFailure, Is.True);
        Assert.That(sink.EndToEnd.TotalCount, Is.EqualTo(1));
    }

    [Test]
    public async Task The_callback_drill_refuses_with_500_first_and_counts_nothing_meanwhile()
    {
        var ledger = new CallbackLedger();
        ledger.Sent("tok-1", 0);
        await using var sink = await CallbackSink.StartAsync(0, ledger, new SinkDrills(FailCallbacksFor: TimeSpan.FromMilliseconds(500)));

        using var refused = await Http.SendAsync(Callback($"{sink.Url}/callback/x", "tok-1", null));
        await Task.Delay(600);
        using var accepted = await Http.SendAsync(Callback($"{sink.Url}/callback/x", "tok-1", null));

        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.InternalServerError));
        Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(sink.Refused, Is.EqualTo(1));
        Assert.That(ledger.Snapshot().Single().Callbacks, Is.EqualTo(1));
    }

    [Test]
    public async Task The_channel_answers_at_once_and_the_429_drill_throttles_every_nth_call_with_Retry_After()
    {
        await using var sink = await CallbackSink.StartAsync(0, new CallbackLedger(), new SinkDrills(Channel429Every: 3));

        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 6; i++)
            answers.Add(await Http.PostAsync($"{sink.Url}/channel", new StringContent("{}", Encoding.UTF8, "application/json")));

        Assert.That(answers.Select(a => (int)a.StatusCode), Is.EqualTo(new[] { 200, 200, 429, 200, 200, 429 }));
        Assert.That(answers[2].Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(1)));
        Assert.That(await answers[0].Content.ReadAsStringAsync(), Does.Contain("\"score\""));
        Assert.That(sink.ChannelCalls, Is.EqualTo(6));
        answers.ForEach(a => a.Dispose());
    }
}
