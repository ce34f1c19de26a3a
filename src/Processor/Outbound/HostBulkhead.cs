using System.Threading.RateLimiting;
using ExternalAction.ServiceDefaults.Messaging;
using Microsoft.Extensions.Options;

namespace ExternalAction.Processor.Outbound;

/// <summary>
/// The per-destination-host bulkhead shared by every outbound client of the process: at most
/// <see cref="OutboundOptions.PerHostLimit"/> requests to one host at once. A request beyond it waits at most
/// <see cref="OutboundOptions.BusyWaitMilliseconds"/> for a place (a fast host frees one in milliseconds, so busy
/// traffic to the platform's one callback host is not rescheduled), then fails with
/// <see cref="DestinationBusyException"/>, a transient failure the Processor reschedules durably: one host that accepts
/// connections and never answers holds at most its share of the slots, and the others keep theirs.
/// </summary>
public sealed class HostBulkhead : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;

    private readonly TimeProvider _clock;

    public HostBulkhead(IOptions<OutboundOptions> options, IOptions<MessagingOptions> messaging, TimeProvider clock)
    {
        _clock = clock;
        Limit = options.Value.PerHostLimit(messaging.Value.ConcurrentMessageLimit);
        RetryAfter = TimeSpan.FromSeconds(options.Value.BusyRetryAfterSeconds);
        Wait = TimeSpan.FromMilliseconds(options.Value.BusyWaitMilliseconds);
        var queue = Wait > TimeSpan.Zero ? Math.Max(1, messaging.Value.ConcurrentMessageLimit) : 0;
        _limiter = PartitionedRateLimiter.Create<string, string>(host => RateLimitPartition.GetConcurrencyLimiter(host,
            _ => new ConcurrencyLimiterOptions { PermitLimit = Limit, QueueLimit = queue, QueueProcessingOrder = QueueProcessingOrder.OldestFirst }),
            StringComparer.OrdinalIgnoreCase);
    }

    public int Limit { get; }
    public TimeSpan RetryAfter { get; }
    public TimeSpan Wait { get; }

    /// <summary>A lease for one request to <paramref name="host"/>, or <see cref="DestinationBusyException"/> after <see cref="Wait"/>.</summary>
    public async ValueTask<RateLimitLease> EnterAsync(string host, CancellationToken ct)
    {
        var lease = _limiter.AttemptAcquire(host);
        if (!lease.IsAcquired && Wait > TimeSpan.Zero)
        {
            lease.Dispose();
            using var wait = new CancellationTokenSource(Wait, _clock);
            using var waited = CancellationTokenSource.CreateLinkedTokenSource(ct, wait.Token);
            try
            {
                lease = await _limiter.AcquireAsync(host, 1, waited.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new DestinationBusyException(host, Limit, RetryAfter);
            }
        }
        if (lease.IsAcquired)
            return lease;
        lease.Dispose();
        throw new DestinationBusyException(host, Limit, RetryAfter);
    }

    public void Dispose() => _limiter.Dispose();

    /// <summary>Holds the host's lease until the response body has been read, so a host that stalls mid-body still counts.</summary>
    public sealed class Handler(HostBulkhead bulkhead) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var host = request.RequestUri?.IdnHost ?? "";
            using var lease = await bulkhead.EnterAsync(host, cancellationToken);
            var response = await base.SendAsync(request, cancellationToken);
            try
            {
                await response.Content.LoadIntoBufferAsync(cancellationToken);
            }
            catch
            {
                response.Dispose();
                throw;
            }
            return response;
        }
    }
}
