using System.Text.Json.Nodes;
using ExternalAction.Processor.Callbacks;
using ExternalAction.Processor.Outbound;
using static ExternalAction.Processor.Tests.TestMessages;

namespace ExternalAction.Processor.Tests.Callbacks;

/// <summary>The success callback of a sample request, as the Processor would send it.</summary>
internal static class CallbackCalls
{
    public static Task<OutboundResult> SendSuccessAsync(this CallbackClient client, JsonObject request, string requestId, CancellationToken ct = default)
    {
        var message = For(request, requestId);
        var body = CallbackBuilder.Build(Action("lead-scoring.json"), message, new CallbackOutcome { Success = true });
        return client.SendAsync(message, body, ct);
    }
}
