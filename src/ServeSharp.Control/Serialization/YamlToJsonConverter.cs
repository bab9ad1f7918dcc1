using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ServeSharp.Control.Serialization;

/// <summary>
/// Splits a multi-document YAML (or JSON) text into JSON trees, converting scalars as kubectl does
/// (<see cref="YamlScalarResolver"/>). Empty documents are skipped, like <c>kubectl apply</c> skips them.
/// </summary>
public static class YamlToJsonConverter
{
    /// <summary>One document: its JSON tree and the 1-based line it starts on.</summary>
    public readonly record struct YamlDocumentNode(JsonNode Root, int Line);

    /// <summary>Converts all documents of <paramref name="text"/>; <paramref name="source"/> names the file in errors.</summary>
    public static IReadOnlyList<YamlDocumentNode> Convert(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.TrimStart();
        if (trimmed.StartsWith('{') || trimmed.StartsWith('['))
        {
            return ConvertJson(text, source);
        }

        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e) when (e.Message.StartsWith("Duplicate key ", StringComparison.Ordinal))
        {
            throw new ManifestSyntaxException(
                $"error parsing {source}: error converting YAML to JSON: yaml: unmarshal errors:\n  line {e.Start.Line}: key \"{e.Message["Duplicate key ".Length..]}\" already set in map", e);
        }
        catch (YamlException e)
        {
            throw new ManifestSyntaxException(
                $"error parsing {source}: error converting YAML to JSON: yaml: line {e.Start.Line}: {FirstLine(e.Message)}", e);
        }
        catch (InvalidOperationException e)
        {
            // YamlDotNet's scanner throws this (not a YamlException) on some truncated flow collections, e.g. "{name: x\nspec: [".
            throw new ManifestSyntaxException(
                $"error parsing {source}: error converting YAML to JSON: yaml: malformed flow collection (missing ',', '}}' or ']')", e);
        }
        catch (ArgumentException e)
        {
            // YamlDotNet's node loader throws this ("The current event is of an unsupported type") when the parser hands it
            // an event out of place, e.g. a mapping key of ":" alone inside a block sequence.
            throw new ManifestSyntaxException(
                $"error parsing {source}: error converting YAML to JSON: yaml: malformed document (a key or value out of place)", e);
        }

        var result = new List<YamlDocumentNode>();
        foreach (var document in stream.Documents)
        {
            var node = ToJson(document.RootNode, source);
            if (node is null)
            {
                continue;
            }
            result.Add(new YamlDocumentNode(node, (int)document.RootNode.Start.Line));
        }
        return result;
    }

    private static IReadOnlyList<YamlDocumentNode> ConvertJson(string text, string source)
    {
        try
        {
            var node = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
            if (!JsonTextCheck.IsText(node))
            {
                throw new ManifestSyntaxException($"error parsing {source}: error converting YAML to JSON: {JsonTextCheck.Problem}");
            }

            return node is null ? [] : [new YamlDocumentNode(node, 1)];
        }
        catch (JsonException e)
        {
            throw new ManifestSyntaxException(
                $"error parsing {source}: error converting YAML to JSON: {FirstLine(e.Message)}", e);
        }
    }

    private static JsonNode? ToJson(YamlNode node, string source)
    {
        switch (node)
        {
            case YamlScalarNode scalar:
                var value = scalar.Value ?? "";
                return scalar.Style is YamlDotNet.Core.ScalarStyle.Plain && !IsExplicitString(scalar)
                    ? YamlScalarResolver.Resolve(value)
                    : JsonValue.Create(value);
            case YamlSequenceNode sequence:
                var array = new JsonArray();
                foreach (var item in sequence.Children)
                {
                    array.Add(ToJson(item, source));
                }
                return array;
            case YamlMappingNode mapping:
                var obj = new JsonObject();
                foreach (var (keyNode, valueNode) in mapping.Children)
                {
                    if (keyNode is not YamlScalarNode keyScalar)
                    {
                        throw new ManifestSyntaxException(
                            $"error parsing {source}: error converting YAML to JSON: yaml: line {keyNode.Start.Line}: mapping keys must be scalars");
                    }
                    var key = keyScalar.Value ?? "";
                    if (obj.ContainsKey(key))
                    {
                        throw new ManifestSyntaxException(
                            $"error parsing {source}: error converting YAML to JSON: yaml: unmarshal errors:\n  line {keyNode.Start.Line}: key \"{key}\" already set in map");
                    }
                    obj[key] = ToJson(valueNode, source);
                }
                return obj;
            default:
                return null;
        }
    }

    private static bool IsExplicitString(YamlScalarNode scalar) =>
        scalar.Tag.IsEmpty is false && scalar.Tag.Value is "tag:yaml.org,2002:str" or "!!str";

    private static string FirstLine(string message)
    {
        var newline = message.IndexOf('\n', StringComparison.Ordinal);
        return newline < 0 ? message : message[..newline];
    }
}
