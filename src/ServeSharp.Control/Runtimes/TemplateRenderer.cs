using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using k8s.Models;
using ServeSharp.Control.Serialization;

namespace ServeSharp.Control.Runtimes;

/// <summary>
/// <c>ReplacePlaceholders</c>: renders <c>{{.Name}}</c>, <c>{{.Namespace}}</c>, <c>{{.Labels.key}}</c>,
/// <c>{{.Annotations.key}}</c> (and the other ObjectMeta string fields) in a container against the InferenceService's
/// metadata. Like Go's html/template, inserted values are HTML-escaped and missing map keys render as "".
/// </summary>
public static partial class TemplateRenderer
{
    [GeneratedRegex(@"\{\{-?\s*\.(?<path>[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_./-]+)?)\s*-?\}\}")]
    private static partial Regex Action();

    [GeneratedRegex(@"\{\{")]
    private static partial Regex AnyAction();

    /// <summary>Renders every string of <paramref name="container"/>.</summary>
    /// <exception cref="TemplateRenderException">An action refers to something ObjectMeta does not have.</exception>
    public static V1Container Render(V1Container container, V1ObjectMeta metadata)
    {
        ArgumentNullException.ThrowIfNull(container);
        ArgumentNullException.ThrowIfNull(metadata);
        var node = KubeJson.SerializeToNode(container);
        RenderNode(node, metadata);
        return KubeJson.Deserialize<V1Container>(node);
    }

    /// <summary>Renders one string.</summary>
    public static string Render(string text, V1ObjectMeta metadata)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(metadata);
        var rendered = Action().Replace(text, m => HtmlEscape(Resolve(m.Groups["path"].Value, metadata)));
        if (AnyAction().IsMatch(rendered))
        {
            throw new TemplateRenderException($"template: unsupported action in \"{text}\"");
        }
        return rendered;
    }

    private static void RenderNode(JsonNode? node, V1ObjectMeta metadata)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var key in obj.Select(p => p.Key).ToList())
                {
                    if (obj[key] is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String)
                    {
                        obj[key] = Render(v.GetValue<string>(), metadata);
                    }
                    else
                    {
                        RenderNode(obj[key], metadata);
                    }
                }
                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String)
                    {
                        array[i] = Render(v.GetValue<string>(), metadata);
                    }
                    else
                    {
                        RenderNode(array[i], metadata);
                    }
                }
                break;
        }
    }

    private static string Resolve(string path, V1ObjectMeta metadata)
    {
        var dot = path.IndexOf('.', StringComparison.Ordinal);
        var field = dot < 0 ? path : path[..dot];
        var key = dot < 0 ? null : path[(dot + 1)..];
        switch (field)
        {
            case "Labels" when key is not null:
                return metadata.Labels is { } labels && labels.TryGetValue(key, out var l) ? l : "";
            case "Annotations" when key is not null:
                return metadata.Annotations is { } annotations && annotations.TryGetValue(key, out var a) ? a : "";
        }
        if (key is not null)
        {
            throw new TemplateRenderException($"template: can't evaluate field {key} in type string");
        }
        return field switch
        {
            "Name" => metadata.Name ?? "",
            "Namespace" => metadata.NamespaceProperty ?? "",
            "GenerateName" => metadata.GenerateName ?? "",
            "UID" => metadata.Uid ?? "",
            "ResourceVersion" => metadata.ResourceVersion ?? "",
            "Generation" => metadata.Generation?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "0",
            _ => throw new TemplateRenderException($"template: can't evaluate field {field} in type v1.ObjectMeta"),
        };
    }

    /// <summary>Go html/template's HTML text escaping.</summary>
    public static string HtmlEscape(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var builder = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            builder.Append(c switch
            {
                '\0' => "\uFFFD",
                '"' => "&#34;",
                '\'' => "&#39;",
                '&' => "&amp;",
                '+' => "&#43;",
                '<' => "&lt;",
                '>' => "&gt;",
                _ => c.ToString(),
            });
        }
        return builder.ToString();
    }
}

/// <summary>A runtime template cannot be rendered (KServe reports InvalidPredictorSpec).</summary>
public sealed class TemplateRenderException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TemplateRenderException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public TemplateRenderException(string message, Exception inner) : base(message, inner)
    {
    }

    /// <summary>Creates the exception.</summary>
    public TemplateRenderException()
    {
    }
}
