using System.Text.Json;
using System.Text.Json.Nodes;

namespace ServeSharp.Control.Serialization;

/// <summary>
/// Checks that every string and property name of a parsed JSON tree is text. The parser keeps strings as they came and
/// decodes them only when read, so a byte sequence that is not UTF-8 or a <c>\u</c> escape that is not valid UTF-16 (a
/// lone surrogate) would surface later, wherever the field is first read, as an <see cref="InvalidOperationException"/>.
/// </summary>
public static class JsonTextCheck
{
    /// <summary>True when every string and property name in <paramref name="node"/> decodes.</summary>
    public static bool IsText(JsonNode? node)
    {
        try
        {
            Visit(node);
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>The message for a document that fails <see cref="IsText"/>.</summary>
    public const string Problem = "a string is not valid UTF-8 or holds an invalid \\u escape";

    private static void Visit(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (_, value) in obj)
                {
                    Visit(value);
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    Visit(item);
                }

                break;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                value.GetValue<string>();
                break;
        }
    }
}
