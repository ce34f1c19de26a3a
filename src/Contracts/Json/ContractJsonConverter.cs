using System.Text.Json;
using System.Text.Json.Serialization;

namespace ExternalAction.Contracts.Json;

/// <summary>
/// Writes and reads a platform payload with <see cref="ContractJson.Options"/> whatever options the outer serializer
/// has. Put on the members of bus messages that carry what the Api accepted, so the Processor reads exactly what the Api
/// validated: MassTransit's own converters write <c>[JsonExtensionData]</c> dictionaries as a nested object (invalid
/// JSON), which lost every request that carried a field the platform added.
/// </summary>
public sealed class ContractJsonConverter<T> : JsonConverter<T>
{
    public override T? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        JsonSerializer.Deserialize<T>(ref reader, ContractJson.Options);

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value, ContractJson.Options);
}
