using System.Text.Json;
using System.Text.Json.Serialization;

namespace ExternalAction.Contracts.Json;

/// <summary>The one set of JSON options for the platform contract: camelCase, unknown properties tolerated, duplicate properties refused, nulls omitted.</summary>
public static class ContractJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    /// <summary>Applies the contract's settings to options owned by someone else (ASP.NET Core, MassTransit).</summary>
    public static void Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.PropertyNameCaseInsensitive = false;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip;
        options.NumberHandling = JsonNumberHandling.Strict;
        options.MaxDepth = 64;
        // One rule for {"a":0,"a":1}: refused while reading (intake answers 400 with the path, see DuplicateProperties).
        options.AllowDuplicateProperties = false;
        // API payloads, never embedded in HTML: keep '+', '<', '&' and non-ASCII readable instead of \uXXXX escapes.
        options.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
    }

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions();
        Configure(options);
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
