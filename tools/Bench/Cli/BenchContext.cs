using System.Text;
using ExternalAction.Bench.Load;
using ExternalAction.Bench.Reporting;

namespace ExternalAction.Bench.Cli;

/// <summary>Where a run's requests go: a name for the reports, the URL for a body, and the API key to send (if any).
/// <paramref name="Build"/>, when given, builds request <c>index</c> itself (SFMC executes are JWTs, not B2B bodies).</summary>
internal sealed record Target(string Name, Func<Body, string> Url, string? ApiKey = null, Func<long, HttpRequestMessage>? Build = null);

/// <summary>What every command shares: options, output, one HttpClient, the run id that makes tokens unique.</summary>
internal sealed class BenchContext : IDisposable
{
    public BenchContext(Options options, TextWriter output, TextWriter error)
    {
        Options = options;
        Out = output;
        Error = error;
        Results = new ResultFiles(options.Get("out", "bench/results"));
        // Tokens must be unique across runs against the same database: the intake dedupes on them.
        Run = options.Get("run", $"bench-{DateTime.UtcNow:yyyyMMddHHmmss}-{Random.Shared.Next(1000, 9999)}");
        Http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 512, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
        {
            Timeout = TimeSpan.FromSeconds(options.Number("timeout", 30)),
        };
    }

    public Options Options { get; }

    /// <summary>Server processes whose CPU each measured step records (<c>--cpu api=PID,…</c>).</summary>
    public ProcessCpu Cpu => _cpu ??= ProcessCpu.Parse(Options.TryGet("cpu", out var cpu) ? cpu : null);

    private ProcessCpu? _cpu;
    public TextWriter Out { get; }
    public TextWriter Error { get; }
    public ResultFiles Results { get; }
    public HttpClient Http { get; }
    public string Run { get; }
    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    /// <summary>Port of the callback sink and instant channel (the bench actions file points at 5099); 0 = any free port.</summary>
    public int SinkPort => Options.Integer("sink-port", 5099);

    /// <summary>
    /// Our intake. <c>--api BASE</c>: each entity type goes to its action's path
    /// (<c>--actions bench-lead,bench-account,bench-buying-group</c>, in lead, account, accountPerson order).
    /// <c>--url URL</c>: every request goes to that URL (e.g. a single-action deployment's <c>/submitAsyncAction</c>).
    /// </summary>
    public Target Intake()
    {
        var key = Options.TryGet("key", out var k) ? k : null;
        if (Options.TryGet("url", out var url))
            return new Target("intake", _ => url, key);
        var api = Options.Require("api").TrimEnd('/');
        var actions = Options.Get("actions", "bench-lead,bench-account,bench-buying-group").Split(',', StringSplitOptions.TrimEntries);
        if (actions.Length != 3)
            throw new ArgumentException("--actions takes three action names: lead, account, accountPerson.");
        return new Target("intake", body => $"{api}/actions/{actions[(int)body.Kind]}/submitAsyncAction", key);
    }

    /// <summary>Base URL of the Api (health, support): <c>--api</c>, or the scheme and authority of <c>--url</c>.</summary>
    public string ApiBase => Options.TryGet("api", out var api)
        ? api.TrimEnd('/')
        : new Uri(Options.Require("url")).GetLeftPart(UriPartial.Authority);

    /// <summary>
    /// Which entity types the bodies take: <c>--entity lead|account|accountPerson</c>, or all three in turn
    /// (<c>mixed</c>, the default with <c>--api</c>). With <c>--url</c> the default is <c>lead</c>: one URL is one action.
    /// </summary>
    public EntityKind? Entity => Options.Get("entity", Options.TryGet("url", out _) ? "lead" : "mixed") switch
    {
        "mixed" => null,
        var name when Enum.TryParse<EntityKind>(name, ignoreCase: true, out var kind) => kind,
        var name => throw new ArgumentException($"--entity must be lead, account, accountPerson or mixed, not '{name}'."),
    };

    /// <summary>Request <paramref name="index"/> for <paramref name="target"/>; its callbacks go to <paramref name="callbackBase"/>.</summary>
    public HttpRequestMessage Request(Target target, long index, string callbackBase, out Body body)
    {
        if (target.Build is { } build)
        {
            body = new Body(Bodies.Token(Run, index), EntityKind.Lead, false, "");
            return build(index);
        }
        body = Bodies.Create(index, callbackBase, Run, Entity);
        var request = new HttpRequestMessage(HttpMethod.Post, target.Url(body)) { Content = new StringContent(body.Json, Encoding.UTF8, "application/json") };
        if (target.ApiKey is not null)
            request.Headers.Add(Options.Get("key-header", "X-API-Key"), target.ApiKey);
        return request;
    }

    public BenchResult Result(string command, IReadOnlyList<LatencyReport> runs) =>
        new(command, StartedAt, MachineInfo.Current(), Options.ForRecord(), runs);

    public void Dispose() => Http.Dispose();
}
