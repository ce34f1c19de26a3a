using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ExternalAction.Contracts.Json;

/// <summary>Reads an int64 written as a JSON number or as a string of digits; always writes a JSON number.</summary>
public sealed class FlexibleInt64Converter : JsonConverter<long>
{
    public override long Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var n))
            return n;
        if (reader.TokenType == JsonTokenType.String
            && long.TryParse(reader.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var s))
            return s;
        throw new JsonException("Expected an integer (int64) as a JSON number or a string of digits.");
    }

    public override void Write(Utf8JsonWriter writer, long value, JsonSerializerOptions options) =>
        writer.WriteNumberValue(value);
}
