using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ServeSharp.Control.Serialization;

/// <summary>
/// Writes JSON trees as block-style YAML the way kubectl prints objects: strings that would read back as another type
/// (<c>"1"</c>, <c>"true"</c>, <c>""</c>) are quoted, multi-line strings use literal blocks, documents are separated by <c>---</c>.
/// </summary>
public static class JsonToYamlWriter
{
    /// <summary>Writes one or more documents.</summary>
    public static string Write(IEnumerable<JsonNode> documents)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var builder = new StringBuilder();
        var first = true;
        foreach (var document in documents)
        {
            if (!first)
            {
                builder.Append("---\n");
            }
            first = false;
            builder.Append(Write(document));
        }
        return builder.ToString();
    }

    /// <summary>Writes one document (no leading <c>---</c>).</summary>
    public static string Write(JsonNode document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var stream = new YamlStream(new YamlDocument(ToYaml(document)));
        using var writer = new StringWriter { NewLine = "\n" };
        stream.Save(writer, assignAnchors: false);
        var text = writer.ToString().Replace("\r\n", "\n", StringComparison.Ordinal);
        // YamlStream.Save ends every document with "...": drop it, kubectl does not print it.
        if (text.EndsWith("...\n", StringComparison.Ordinal))
        {
            text = text[..^4];
        }
        return text;
    }

    private static YamlNode ToYaml(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return new YamlScalarNode("null") { Style = ScalarStyle.Plain };
            case JsonObject obj:
                var mapping = new YamlMappingNode();
                foreach (var (key, child) in obj)
                {
                    mapping.Add(StringScalar(key), ToYaml(child));
                }
                if (obj.Count == 0)
                {
                    mapping.Style = YamlDotNet.Core.Events.MappingStyle.Flow;
                }
                return mapping;
            case JsonArray array:
                var sequence = new YamlSequenceNode();
                foreach (var item in array)
                {
                    sequence.Add(ToYaml(item));
                }
                if (array.Count == 0)
                {
                    sequence.Style = YamlDotNet.Core.Events.SequenceStyle.Flow;
                }
                return sequence;
            default:
                var value = (JsonValue)node;
                return value.GetValueKind() switch
                {
                    JsonValueKind.String => StringScalar(value.GetValue<string>()),
                    JsonValueKind.True => new YamlScalarNode("true") { Style = ScalarStyle.Plain },
                    JsonValueKind.False => new YamlScalarNode("false") { Style = ScalarStyle.Plain },
                    JsonValueKind.Null => new YamlScalarNode("null") { Style = ScalarStyle.Plain },
                    _ => new YamlScalarNode(value.ToJsonString()) { Style = ScalarStyle.Plain },
                };
        }
    }

    private static YamlScalarNode StringScalar(string text)
    {
        if (text.Contains('\n', StringComparison.Ordinal) && !text.StartsWith(' ') && !text.Contains('\r', StringComparison.Ordinal))
        {
            return new YamlScalarNode(text) { Style = ScalarStyle.Literal };
        }
        return new YamlScalarNode(text)
        {
            Style = YamlScalarResolver.NeedsQuotes(text) ? ScalarStyle.DoubleQuoted : ScalarStyle.Any,
        };
    }
}
