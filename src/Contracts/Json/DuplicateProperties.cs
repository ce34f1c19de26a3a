using System.Text;
using System.Text.Json;

namespace ExternalAction.Contracts.Json;

/// <summary>
/// The contract's rule for a JSON object that names the same property twice (<c>{"a":0,"a":1}</c>): refused at intake
/// with the path of the repeated property, never "last one wins" in one place and a crash in another.
/// <see cref="ContractJson"/> refuses duplicates while reading; this finds where, for the error message.
/// </summary>
public static class DuplicateProperties
{
    /// <summary>The dotted path of the first repeated property (array items as <c>[i]</c>), or null when there is none.</summary>
    public static string? FindPath(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 256 });
        var scopes = new Stack<Scope>();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                        if (scopes.TryPeek(out var outer) && outer.IsArray)
                            outer.Index++;
                        scopes.Push(new Scope(reader.TokenType == JsonTokenType.StartArray, Current(scopes)));
                        break;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        scopes.Pop();
                        break;
                    case JsonTokenType.PropertyName:
                        var scope = scopes.Peek();
                        var name = reader.GetString()!;
                        if (!scope.Names.Add(name))
                            return Join(scope.Path, name);
                        scope.Pending = name;
                        break;
                    default:
                        if (scopes.TryPeek(out var array) && array.IsArray)
                            array.Index++;
                        break;
                }
            }
        }
        catch (JsonException)
        {
            return null; // not even well-formed: the caller reports that instead
        }
        return null;
    }

    private static string Current(Stack<Scope> scopes)
    {
        if (!scopes.TryPeek(out var parent))
            return "";
        return parent.IsArray ? $"{parent.Path}[{parent.Index - 1}]" : Join(parent.Path, parent.Pending ?? "");
    }

    private static string Join(string path, string name) => path.Length == 0 ? name : new StringBuilder(path).Append('.').Append(name).ToString();

    private sealed class Scope(bool isArray, string path)
    {
        public bool IsArray { get; } = isArray;
        public string Path { get; } = path;
        public HashSet<string> Names { get; } = new(StringComparer.Ordinal);
        public string? Pending { get; set; }
        public int Index { get; set; }
    }
}
