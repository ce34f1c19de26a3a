using System.Text.Json;
using System.Text.Json.Nodes;
using ExternalAction.Actions;
using ExternalAction.Contracts.Json;
using ExternalAction.Contracts.Messaging;
using ExternalAction.Contracts.Platform;
using ExternalAction.TestSupport;

namespace ExternalAction.Processor.Tests;

/// <summary>Accepted messages and actions built from the contract's examples and Adobe's sample service definitions.</summary>
internal static class TestMessages
{
    public static ActionAccepted For(JsonObject request, string requestId = "req-test") => new()
    {
        RequestId = requestId,
        ActionName = "test",
        ActionVersion = "1",
        ReceivedAt = DateTimeOffset.UtcNow,
        Deadline = DateTimeOffset.UtcNow.AddHours(1),
        Request = request.Deserialize<ExecutionRequest>(ContractJson.Options)!,
    };

    public static ActionDefinition Action(string sample, ChannelDefinition? channel = null,
        Dictionary<string, ValueMapping>? accessors = null, Dictionary<string, ValueMapping>? fields = null,
        Dictionary<string, ValueMapping>? attributes = null) => new()
    {
        Name = "test",
        ServiceDefinition = ActionFileLoader.LoadServiceDefinition(Fixtures.Adobe(sample)),
        Channel = channel ?? new ChannelDefinition { Type = ChannelTypes.None },
        Accessors = accessors ?? [],
        CallbackFields = fields ?? [],
        ActivityAttributes = attributes ?? [],
    };

    public static ValueMapping Constant(JsonNode value) => new() { Source = ValueSources.Constant, Value = value };

    public static ValueMapping Request(string path) => new() { Source = ValueSources.Request, Path = path };

    public static ValueMapping Response(string path) => new() { Source = ValueSources.Response, Path = path };
}
