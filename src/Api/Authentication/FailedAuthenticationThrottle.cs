using System.Threading.RateLimiting;
using ExternalAction.Api.Errors;
using ExternalAction.Contracts.Platform;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace ExternalAction.Api.Authentication;

/// <summary>
/// Counts failed authentication per client address (caller credentials, support keys, token-endpoint clients) in
/// a fixed window and refuses every attempt from an address past the limit with 429 and <c>Retry-After</c>, whether
/// or not its next guess would be right. It uses the rate limiter the ASP.NET Core rate-limiting middleware is built
/// on (System.Threading.RateLimiting) directly rather than the middleware, because the middleware takes a permit for
/// every request: the platform's legitimate traffic must not use up the budget, only failures do.
/// Each failure is logged at Debug; a Warning summary at most once per <see cref="AuthThrottleOptions.SummarySeconds"/>.
/// </summary>
public sealed class FailedAuthenticationThrottle : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;
    private readonly AuthThrottleOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<FailedAuthenticationThrottle> _logger;
    private long _failures;
    private long _refused;
    private long _nextSummaryTicks;

    public FailedAuthenticationThrottle(IOptions<AuthThrottleOptions> options, TimeProvider clock, ILogger<FailedAuthenticationThrottle> logger)
    {
        _options = options.Value;
        _clock = clock;
        _logger = logger;
        var window = TimeSpan.FromSeconds(_options.WindowSeconds);
        _limiter = PartitionedRateLimiter.Create<string, string>(address => RateLimitPartition.GetFixedWindowLimiter(address, _ =>
            new FixedWindowRateLimiterOptions { PermitLimit = _options.MaxFailures, Window = window, QueueLimit = 0, AutoReplenishment = true }));
    }

    /// <summary>The time to wait when this request's address has used up its failures, else null (it may try).</summary>
    public TimeSpan? RetryAfter(HttpContext http)
    {
        // Zero permits asks whether any are left without taking one.
        using var lease = _limiter.AttemptAcquire(Address(http), 0);
        if (lease.IsAcquired)
            return null;
        Interlocked.Increment(ref _refused);
        Summarise(Address(http));
        return lease.TryGetMetadata(MetadataName.RetryAfter, out var after) && after > TimeSpan.Zero ? after : TimeSpan.FromSeconds(_options.WindowSeconds);
    }

    /// <summary>Records one failed attempt (credentials presented and wrong) from this request's address.</summary>
    public void Failed(HttpContext http, string kind, string reason)
    {
        var address = Address(http);
        using (_limiter.AttemptAcquire(address, 1))
        {
        }
        Interlocked.Increment(ref _failures);
        _logger.LogDebug("{Kind} authentication failed from {Address}: {Reason}", kind, address, reason);
        Summarise(address);
    }

    /// <summary>The 429 in the contract's error shape; sets <c>Retry-After</c> on the response.</summary>
    public static JsonHttpResult<ErrorResponse> TooMany(HttpContext http, TimeSpan retryAfter)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return ContractErrors.Result(StatusCodes.Status429TooManyRequests, ContractErrors.Create(ErrorCodes.RateLimited,
            "Too many failed authentication attempts from this address; retry later.", nestedCode: ErrorCodes.RateLimitExceeded, retryAfterSeconds: seconds));
    }

    public void Dispose() => _limiter.Dispose();

    private static string Address(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private void Summarise(string lastAddress)
    {
        var now = _clock.GetUtcNow().UtcTicks;
        var due = Interlocked.Read(ref _nextSummaryTicks);
        if (now < due || Interlocked.CompareExchange(ref _nextSummaryTicks, now + TimeSpan.FromSeconds(_options.SummarySeconds).Ticks, due) != due)
            return;
        var failures = Interlocked.Exchange(ref _failures, 0);
        var refused = Interlocked.Exchange(ref _refused, 0);
        _logger.LogWarning("Authentication: {Failures} failed attempts and {Refused} attempts refused as throttled since the last summary (latest from {Address}; limit {Limit} failures per {Window} s per address; each failure is logged at Debug).",
            failures, refused, lastAddress, _options.MaxFailures, _options.WindowSeconds);
    }
}
