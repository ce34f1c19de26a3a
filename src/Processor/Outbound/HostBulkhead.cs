using System.Threading.RateLimiting;
using ExternalAction.ServiceDefaults.Messaging;
using Microsoft.Extensions.Options;

namespace ExternalAction.Processor.Outbound;

/// <summary>
/// The per-destination-host bulkhead shared by every outbound client of the process: at most
/// <see cref="OutboundOptions.PerHostLimit"/> requests to one host at once. A request beyond it does not wait (it would
/// hold a consumer slot while waiting): it fails at once with <see cref="DestinationBusyException"/>, a transient
/// failure the Processor reschedules durably, so one host that accepts connections and never answers can take at most
/// its share of the slots and the other hosts keep theirs.
/// </summary>
public sealed class HostBulkhead : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;

    public HostBulkhead(IOptions<OutboundOptions> options, IOptions<MessagingOptions> messaging)
    {
        Limit = options.Value.PerHostLimit(messaging.Value.ConcurrentMessageLimit);
        RetryAfter = TimeSpan.FromSeconds(options.Value.BusyRetryAfterSeconds);
        _limiter = PartitionedRateLimiter.Create<string, string>(host => RateLimitPartition.GetConcurrencyLimiter(host,
            _ => new ConcurrencyLimiterOptions { PermitLimit = Limit, QueueLimit = 0 }), StringComparer.OrdinalIgnoreCase);
    }

    public int Limit { get; }
    public TimeSpan RetryAfter { get; }

    /// <summary>A lease for one request to <paramref name="host"/>, or <see cref="DestinationBusyException"/>.</summary>
    public RateLimitLease Enter(string host)
    {
        var lease = _limiter.AttemptAcquire(host);
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
            using var lease = bulkhead.Enter(host);
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
