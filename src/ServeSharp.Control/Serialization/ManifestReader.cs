using System.Text.Json;
using System.Text.Json.Nodes;
using ServeSharp.Control.Api;

namespace ServeSharp.Control.Serialization;

/// <summary>
/// Reads multi-document YAML/JSON manifests into typed KServe objects, reporting problems per document the way
/// <c>kubectl apply</c> and the API server would (missing apiVersion/kind, unknown kinds, unknown fields, schema errors).
/// A syntax error in the file throws <see cref="ManifestSyntaxException"/>; nothing else throws.
/// </summary>
public static class ManifestReader
{
    /// <summary>Reads every document of <paramref name="text"/>; <paramref name="source"/> is the file name used in messages.</summary>
    public static IReadOnlyList<ManifestDocument> Read(string text, string source)
    {
        var documents = new List<ManifestDocument>();
        foreach (var (root, line) in YamlToJsonConverter.Convert(text, source))
        {
            foreach (var item in ExpandList(root))
            {
                documents.Add(Decode(item, documents.Count, line));
            }
        }
        return documents;
    }

    /// <summary>Reads a file.</summary>
    public static IReadOnlyList<ManifestDocument> ReadFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ManifestSyntaxException($"the path \"{path}\" does not exist", e);
        }
        return Read(text, path);
    }

    /// <summary>Decodes one object tree.</summary>
    public static ManifestDocument Decode(JsonNode root, int index = 0, int line = 1)
    {
        ArgumentNullException.ThrowIfNull(root);
        var apiVersion = StringAt(root, "apiVersion");
        var kind = StringAt(root, "kind");
        var metadata = root is JsonObject o ? o["metadata"] as JsonObject : null;
        var document = new ManifestDocument
        {
            Index = index,
            Line = line,
            Raw = root,
            ApiVersion = apiVersion,
            Kind = kind,
            Name = metadata is null ? "" : StringAt(metadata, "name"),
            Namespace = metadata is null ? "" : StringAt(metadata, "namespace"),
        };

        if (root is not JsonObject)
        {
            return document with { Problem = new ManifestProblem(ManifestProblemKind.MissingTypeInfo, ["apiVersion not set", "kind not set"]) };
        }
        var missing = new List<string>();
        if (apiVersion.Length == 0)
        {
            missing.Add("apiVersion not set");
        }
        if (kind.Length == 0)
        {
            missing.Add("kind not set");
        }
        if (missing.Count > 0)
        {
            return document with { Problem = new ManifestProblem(ManifestProblemKind.MissingTypeInfo, missing) };
        }
        var type = ResourceKinds.Find(apiVersion, kind);
        if (type is null)
        {
            return document with { Problem = new ManifestProblem(ManifestProblemKind.UnknownKind, []) };
        }
        if (document.Name.Length == 0)
        {
            return document with { Problem = new ManifestProblem(ManifestProblemKind.MissingName, []) };
        }

        var report = SchemaChecker.Check(root, type);
        if (report.UnknownFields.Count > 0)
        {
            return document with
            {
                Problem = new ManifestProblem(ManifestProblemKind.StrictDecoding, report.UnknownFields.Select(f => $"unknown field \"{f}\"").ToList()),
            };
        }
        if (report.Invalid.Count > 0)
        {
            return document with { Problem = new ManifestProblem(ManifestProblemKind.Invalid, report.Invalid) };
        }
        try
        {
            return document with { Resource = (KServeResource)KubeJson.Deserialize(root, type) };
        }
        catch (Exception e) when (e is JsonException or FormatException or ArgumentException or InvalidOperationException or OverflowException)
        {
            // The schema check should have caught this; report it as an invalid object rather than crash.
            return document with { Problem = new ManifestProblem(ManifestProblemKind.Invalid, [e.Message]) };
        }
    }

    private static IEnumerable<JsonNode> ExpandList(JsonNode root)
    {
        if (root is JsonObject obj && StringAt(obj, "kind") == "List" && obj["items"] is JsonArray items)
        {
            foreach (var item in items)
            {
                if (item is not null)
                {
                    yield return item.DeepClone();
                }
            }
            yield break;
        }
        yield return root;
    }

    private static string StringAt(JsonNode node, string key) =>
        node is JsonObject obj && obj[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : "";
}
