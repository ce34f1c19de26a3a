namespace ExternalAction.Processor.Outbound;

/// <summary>
/// Turns any 3xx into <see cref="RedirectRefusedException"/> (a permanent failure naming the <c>Location</c> host, never
/// its path or query, which may carry a credential), so Refit's typed clients and plain requests classify it alike.
/// The primary handlers do not follow redirects at all (<c>AllowAutoRedirect = false</c>): this only names the refusal.
/// </summary>
public sealed class RedirectRefusal : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        var status = (int)response.StatusCode;
        if (status is < 300 or > 399)
            return response;
        var host = HttpOutcome.LocationHost(response);
        response.Dispose();
        throw new RedirectRefusedException(status, host);
    }
}
