using System.Net;
using System.Text;

namespace ExternalAction.Processor.Preview;

/// <summary>One HTTP request as a preview captured it, before masking: what the client would have put on the wire.</summary>
public sealed record CapturedRequest(string Method, Uri Url, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[]? Body);

/// <summary>
/// The terminal handler of a preview's HTTP clients, in place of the network: it records each request as the client
/// pipeline hands it over (every header the real code and its handlers added, the body's bytes) and answers with
/// <see cref="Response"/> without any I/O. The headers the socket handler itself adds on the wire are added here the
/// way it adds them: <c>Host</c> from the URL, and <c>Content-Length</c> when the body's length is known up front, else
/// <c>Transfer-Encoding: chunked</c> (HTTP/1.1).
/// </summary>
public sealed class RequestCapture : HttpMessageHandler
{
    private readonly List<CapturedRequest> _requests = [];

    /// <summary>The answer each captured request gets (the channel's response in the preview; 200 <c>{}</c> by default).</summary>
    public SimulatedResponse Response { get; init; } = SimulatedResponse.Default;

    public IReadOnlyList<CapturedRequest> Requests => _requests;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var headers = new List<KeyValuePair<string, string>>();
        var url = request.RequestUri ?? throw new InvalidOperationException("A request without a URL reached the preview's handler.");
        if (request.Headers.Host is null)
            headers.Add(new("Host", url.IsDefaultPort ? url.IdnHost : $"{url.IdnHost}:{url.Port}"));
        foreach (var (name, values) in request.Headers.NonValidated)
            headers.Add(new(name, values.ToString()));
        byte[]? body = null;
        if (request.Content is { } content)
        {
            // Read the length before the body: buffering it would make every length known.
            var length = content.Headers.ContentLength;
            foreach (var (name, values) in content.Headers.NonValidated)
            {
                if (!name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                    headers.Add(new(name, values.ToString()));
            }
            body = await content.ReadAsByteArrayAsync(cancellationToken);
            headers.Add(length is { } known ? new("Content-Length", known.ToString(System.Globalization.CultureInfo.InvariantCulture)) : new("Transfer-Encoding", "chunked"));
        }
        else if (request.Method == HttpMethod.Post || request.Method == HttpMethod.Put || request.Method == HttpMethod.Patch)
            headers.Add(new("Content-Length", "0"));
        _requests.Add(new CapturedRequest(request.Method.Method, url, headers, body));

        var response = new HttpResponseMessage((HttpStatusCode)Response.StatusCode)
        {
            RequestMessage = request,
            Content = new StringContent(Response.Body ?? "", Encoding.UTF8, Response.ContentType),
        };
        return response;
    }
}

/// <summary>What a preview's channel answers: status code, body and its media type.</summary>
public sealed record SimulatedResponse(int StatusCode, string? Body, string ContentType = "application/json")
{
    public static readonly SimulatedResponse Default = new(200, "{}");
}
