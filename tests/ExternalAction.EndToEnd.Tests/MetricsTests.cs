using System.Globalization;
using ExternalAction.TestSupport;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace ExternalAction.EndToEnd.Tests;

/// <summary>
/// <c>/metrics</c> on both hosts after known traffic through the real intake, broker and database: the counters move
/// by exactly what was sent (compared with a scrape before it, as the meters are process-wide), and the backlog gauges
/// are there.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class MetricsTests
{
    private EndToEndEnvironment _env = null!;
    private HttpClient _processor = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _env = await EndToEndEnvironment.StartAsync(s =>
        {
            s["ExternalAction:Metrics:RefreshSeconds"] = "1";
            s[ExternalAction.ServiceDefaults.Observability.AllocationMetric.Setting] = "true";
        });
        var address = _env.Processor!.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _processor = new HttpClient { BaseAddress = new Uri(address) };
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _processor.Dispose();
        await _env.DisposeAsync();
    }

    [Test]
    public async Task A_scrape_after_known_traffic_shows_the_counts_of_what_was_sent()
    {
        var apiBefore = await ScrapeAsync(_env.Client);
        var processorBefore = await ScrapeAsync(_processor);

        var ok = new List<string>();
        for (var i = 0; i < 2; i++)
            ok.Add(await _env.AcceptedAsync("lead-scoring", SampleRequests.Lead($"tok-metrics-{Guid.NewGuid():N}", _env.WireUrl + "/callback/metrics-ok")));
        var refusedPath = $"/callback/metrics-refused-{Guid.NewGuid():N}";
        _env.Wire.Given(Request.Create().WithPath(refusedPath).UsingPost()).AtPriority(1).RespondWith(Response.Create().WithStatusCode(400));
        var refused = await _env.AcceptedAsync("lead-scoring", SampleRequests.Lead($"tok-metrics-{Guid.NewGuid():N}", _env.WireUrl + refusedPath));
        var invalid = SampleRequests.Lead("tok-metrics-invalid", _env.WireUrl + "/callback/x");
        invalid["objectData"]!["objectContext"]!.AsObject().Remove("leadId");
        Assert.That((await _env.SubmitAsync("lead-scoring", invalid)).Status, Is.EqualTo(400));
        foreach (var id in ok.Append(refused))
            await _env.WaitForFinalAsync(id);
        await Task.Delay(1500); // the gauges refresh every second

        var api = await ScrapeAsync(_env.Client);
        var processor = await ScrapeAsync(_processor);
        double Delta(Dictionary<string, double> after, Dictionary<string, double> before, string name, params (string Label, string Value)[] labels) =>
            Sum(after, name, labels) - Sum(before, name, labels);

        Assert.Multiple(() =>
        {
            Assert.That(Delta(api, apiBefore, "externalaction_intake_accepted_total", ("contract", "ajo-b2b"), ("action", "lead-scoring")), Is.EqualTo(3));
            Assert.That(Delta(api, apiBefore, "externalaction_intake_rejected_total", ("contract", "ajo-b2b"), ("reason", "invalid")), Is.GreaterThanOrEqualTo(1));
            // The three publishes the broker confirmed, each in the histogram once; the largest bucket holds every one of them.
            Assert.That(Delta(api, apiBefore, "externalaction_intake_publish_duration_seconds_count", ("outcome", "confirmed")), Is.EqualTo(3));
            Assert.That(Delta(api, apiBefore, "externalaction_intake_publish_duration_seconds_bucket", ("outcome", "confirmed"), ("le", "+Inf")), Is.EqualTo(3));
            Assert.That(Delta(api, apiBefore, "externalaction_intake_publish_duration_seconds_bucket", ("outcome", "failed"), ("le", "+Inf")), Is.Zero);
            Assert.That(Delta(processor, processorBefore, "externalaction_outcomes_total", ("action", "lead-scoring"), ("status", "CallbackSent")), Is.EqualTo(2));
            Assert.That(Delta(processor, processorBefore, "externalaction_outcomes_total", ("action", "lead-scoring"), ("status", "Failed")), Is.EqualTo(1));
            Assert.That(Delta(processor, processorBefore, "externalaction_dead_letters_total", ("action", "lead-scoring"), ("status", "Failed")), Is.EqualTo(1));
            Assert.That(Delta(processor, processorBefore, "externalaction_attempts_total", ("step", "delivery"), ("result", "success")), Is.EqualTo(3));
            Assert.That(Delta(processor, processorBefore, "externalaction_attempts_total", ("step", "report"), ("result", "permanent")), Is.EqualTo(1));
            Assert.That(Delta(processor, processorBefore, "externalaction_report_duration_milliseconds_count", ("action", "lead-scoring")), Is.EqualTo(3));
            Assert.That(Delta(processor, processorBefore, "externalaction_delivery_duration_milliseconds_count", ("action", "lead-scoring")), Is.EqualTo(3));
            Assert.That(processor.Keys, Has.Some.StartsWith("externalaction_queue_depth{").And.Contains("queue=\"externalaction-process\""));
            Assert.That(processor.Keys, Has.Some.StartsWith("externalaction_requests_at_risk"));
            // The precise allocation count moves with every request handled, between any two scrapes (the runtime's
            // imprecise one does not under the server GC: AllocationMetric).
            Assert.That(Delta(api, apiBefore, "externalaction_process_allocated_bytes_total"), Is.GreaterThan(0));
            Assert.That(Delta(processor, processorBefore, "externalaction_process_allocated_bytes_total"), Is.GreaterThan(0));
        });
    }

    [Test]
    public async Task An_intake_call_with_a_wrong_key_counts_as_an_unauthenticated_rejection()
    {
        var before = await ScrapeAsync(_env.Client);
        var factoryClient = _env.Client;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/actions/lead-scoring/submitAsyncAction")
        {
            Content = new StringContent(SampleRequests.Lead().ToJsonString(), System.Text.Encoding.UTF8, "application/json"),
        };
        // The environment's client sends the right key by default: send this one without it, with a wrong one.
        factoryClient.DefaultRequestHeaders.Remove("X-API-Key");
        try
        {
            request.Headers.Add("X-API-Key", "not-the-key-at-all-000");
            using var answer = await factoryClient.SendAsync(request);
            Assert.That((int)answer.StatusCode, Is.EqualTo(401));
        }
        finally
        {
            factoryClient.DefaultRequestHeaders.Add("X-API-Key", EndToEndEnvironment.ApiKey);
        }
        var after = await ScrapeAsync(_env.Client);
        Assert.That(Sum(after, "externalaction_intake_rejected_total", ("reason", "unauthenticated")) - Sum(before, "externalaction_intake_rejected_total", ("reason", "unauthenticated")),
            Is.EqualTo(1));
    }

    /// <summary>One scrape: each sample's name with its labels, and its value.</summary>
    private static async Task<Dictionary<string, double>> ScrapeAsync(HttpClient client)
    {
        var text = await client.GetStringAsync("/metrics");
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        // Each sample is "name{labels} value" or "name value", sometimes followed by a timestamp.
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
                continue;
            var end = line.Contains('}', StringComparison.Ordinal) ? line.LastIndexOf('}') + 1 : line.IndexOf(' ', StringComparison.Ordinal);
            samples[line[..end]] = double.Parse(line[(end + 1)..].Split(' ')[0], CultureInfo.InvariantCulture);
        }
        return samples;
    }

    private static double Sum(Dictionary<string, double> samples, string name, params (string Label, string Value)[] labels) =>
        samples.Where(s => (s.Key == name || s.Key.StartsWith(name + "{", StringComparison.Ordinal))
                           && labels.All(l => s.Key.Contains($"{l.Label}=\"{l.Value}\"", StringComparison.Ordinal)))
            .Sum(s => s.Value);
}
