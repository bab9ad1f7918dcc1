using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using k8s.Models;
using ServeSharp.Control.Api;

namespace ServeSharp.Control.Serialization;

/// <summary>
/// Checks a JSON tree against the CLR types the way the API server checks a custom resource: unknown fields (strict
/// field validation, as <c>kubectl apply</c> requests by default), wrong JSON types, required fields, enums, ranges,
/// patterns, quantities and durations. Messages use the API server's wording.
/// </summary>
public static partial class SchemaChecker
{
    /// <summary>The pattern the CRDs put on every quantity (<c>x-kubernetes-int-or-string</c> resources).</summary>
    public const string QuantityPattern =
        @"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$";

    [GeneratedRegex(QuantityPattern)]
    private static partial Regex Quantity();

    /// <summary>Checks <paramref name="root"/> as a <paramref name="type"/>.</summary>
    public static SchemaReport Check(JsonNode root, Type type)
    {
        ArgumentNullException.ThrowIfNull(root);
        var report = new SchemaReport();
        Walk(root, type, "", report);
        return report;
    }

    private static void Walk(JsonNode? node, Type type, string path, SchemaReport report)
    {
        if (node is null)
        {
            return;
        }
        type = Nullable.GetUnderlyingType(type) ?? type;

        if (type == typeof(object) || type == typeof(JsonNode) || type == typeof(JsonElement))
        {
            return;
        }
        if (type == typeof(string))
        {
            Expect(node, path, "string", report, JsonValueKind.String);
            return;
        }
        if (type == typeof(int) || type == typeof(long) || type == typeof(short) || type == typeof(uint) || type == typeof(ulong) || type == typeof(ushort))
        {
            if (Expect(node, path, "integer", report, JsonValueKind.Number) && !IsInteger(node))
            {
                report.Invalid.Add(TypeError(path, "integer", "number"));
            }
            return;
        }
        if (type == typeof(double) || type == typeof(float) || type == typeof(decimal))
        {
            Expect(node, path, "number", report, JsonValueKind.Number);
            return;
        }
        if (type == typeof(bool))
        {
            Expect(node, path, "boolean", report, JsonValueKind.True, JsonValueKind.False);
            return;
        }
        if (type == typeof(ResourceQuantity))
        {
            CheckQuantity(node, path, report);
            return;
        }
        if (type == typeof(IntOrString))
        {
            var kind = node.GetValueKind();
            if (kind == JsonValueKind.Number ? !IsInteger(node) : kind != JsonValueKind.String)
            {
                report.Invalid.Add(TypeError(path, "integer or string", JsonTypeName(node)));
            }
            return;
        }
        if (type == typeof(DateTime) || type == typeof(DateTimeOffset))
        {
            if (Expect(node, path, "string", report, JsonValueKind.String) &&
                !DateTimeOffset.TryParse(node.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _))
            {
                report.Invalid.Add($"{path}: Invalid value: \"{node.GetValue<string>()}\": {path} in body must be of type date-time: \"{node.GetValue<string>()}\"");
            }
            return;
        }
        if (type == typeof(byte[]))
        {
            Expect(node, path, "string", report, JsonValueKind.String);
            return;
        }

        var info = KubeJson.GetTypeInfo(type);
        switch (info.Kind)
        {
            case JsonTypeInfoKind.Dictionary:
                if (node is not JsonObject map)
                {
                    report.Invalid.Add(TypeError(path, "object", JsonTypeName(node)));
                    return;
                }
                foreach (var (key, value) in map)
                {
                    // As for array items below: a map's values must have its value type; null is not one of them.
                    if (value is null && SchemaTypeName(info.ElementType!) is { } valueType)
                    {
                        report.Invalid.Add(TypeError(Join(path, key), valueType, "null"));
                        continue;
                    }

                    Walk(value, info.ElementType!, Join(path, key), report);
                }
                return;
            case JsonTypeInfoKind.Enumerable:
                if (node is not JsonArray array)
                {
                    report.Invalid.Add(TypeError(path, "array", JsonTypeName(node)));
                    return;
                }
                for (var i = 0; i < array.Count; i++)
                {
                    // A null field is dropped, but a null item stays and must have the item's type, as the API
                    // server checks a CRD's arrays ("containers: [null]" is refused, not taken for an empty container).
                    if (array[i] is null && SchemaTypeName(info.ElementType!) is { } itemType)
                    {
                        report.Invalid.Add(TypeError($"{path}[{i}]", itemType, "null"));
                        continue;
                    }

                    Walk(array[i], info.ElementType!, $"{path}[{i}]", report);
                }
                return;
            case JsonTypeInfoKind.Object:
                if (node is not JsonObject obj)
                {
                    report.Invalid.Add(TypeError(path, "object", JsonTypeName(node)));
                    return;
                }
                WalkObject(obj, info, path, report);
                return;
            default:
                return;
        }
    }

    private static void WalkObject(JsonObject obj, JsonTypeInfo info, string path, SchemaReport report)
    {
        var properties = info.Properties.ToDictionary(p => p.Name, StringComparer.Ordinal);
        foreach (var (name, value) in obj)
        {
            var fieldPath = Join(path, name);
            if (!properties.TryGetValue(name, out var property))
            {
                report.UnknownFields.Add(fieldPath);
                continue;
            }
            Walk(value, property.PropertyType, fieldPath, report);
            if (value is not null)
            {
                CheckConstraints(value, property, fieldPath, report);
            }
        }
        foreach (var property in info.Properties)
        {
            if (Attribute<SchemaRequiredAttribute>(property) is not null && obj[property.Name] is null)
            {
                report.Invalid.Add($"{Join(path, property.Name)}: Required value");
            }
        }
    }

    private static void CheckConstraints(JsonNode value, JsonPropertyInfo property, string path, SchemaReport report)
    {
        var kind = value.GetValueKind();
        if (kind == JsonValueKind.String)
        {
            var text = value.GetValue<string>();
            if (Attribute<SchemaEnumAttribute>(property) is { } enumeration && !enumeration.Values.Contains(text))
            {
                report.Invalid.Add($"{path}: Unsupported value: \"{text}\": supported values: {string.Join(", ", enumeration.Values.Select(v => $"\"{v}\""))}");
            }
            if (Attribute<SchemaPatternAttribute>(property) is { } pattern && !Regex.IsMatch(text, pattern.Pattern))
            {
                report.Invalid.Add($"{path}: Invalid value: \"{text}\": {path} in body should match '{pattern.Pattern}'");
            }
            if (Attribute<SchemaDurationAttribute>(property) is not null && !GoDuration.TryParse(text, out _, out var error))
            {
                report.Invalid.Add($"{path}: Invalid value: \"{text}\": {error}");
            }
        }
        if (kind == JsonValueKind.Number && IsInteger(value) && Attribute<SchemaRangeAttribute>(property) is { } range)
        {
            var number = value.GetValue<long>();
            if (number < range.Minimum)
            {
                report.Invalid.Add($"{path}: Invalid value: {number}: {path} in body should be greater than or equal to {range.Minimum}");
            }
            else if (number > range.Maximum)
            {
                report.Invalid.Add($"{path}: Invalid value: {number}: {path} in body should be less than or equal to {range.Maximum}");
            }
        }
    }

    private static void CheckQuantity(JsonNode node, string path, SchemaReport report)
    {
        var kind = node.GetValueKind();
        if (kind == JsonValueKind.Number)
        {
            return;
        }
        if (kind != JsonValueKind.String)
        {
            report.Invalid.Add(TypeError(path, "integer or string", JsonTypeName(node)));
            return;
        }
        var text = node.GetValue<string>();
        if (!Quantity().IsMatch(text))
        {
            report.Invalid.Add($"{path}: Invalid value: \"{text}\": {path} in body should match '{QuantityPattern}'");
        }
    }

    private static T? Attribute<T>(JsonPropertyInfo property) where T : Attribute =>
        property.AttributeProvider is MemberInfo member ? member.GetCustomAttribute<T>(inherit: true) : null;

    /// <summary>The schema type of values of <paramref name="type"/>; null for free-form values (anything goes).</summary>
    private static string? SchemaTypeName(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(object) || type == typeof(JsonNode) || type == typeof(JsonElement))
        {
            return null;
        }
        if (type == typeof(string) || type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(byte[]))
        {
            return "string";
        }
        if (type == typeof(int) || type == typeof(long) || type == typeof(short) || type == typeof(uint) || type == typeof(ulong) || type == typeof(ushort))
        {
            return "integer";
        }
        if (type == typeof(double) || type == typeof(float) || type == typeof(decimal))
        {
            return "number";
        }
        if (type == typeof(bool))
        {
            return "boolean";
        }
        if (type == typeof(ResourceQuantity) || type == typeof(IntOrString))
        {
            return "integer or string";
        }
        return KubeJson.GetTypeInfo(type).Kind switch
        {
            JsonTypeInfoKind.Enumerable => "array",
            JsonTypeInfoKind.Dictionary or JsonTypeInfoKind.Object => "object",
            _ => null,
        };
    }

    private static bool Expect(JsonNode node, string path, string expected, SchemaReport report, params JsonValueKind[] kinds)
    {
        var actual = node.GetValueKind();
        if (kinds.Contains(actual))
        {
            return true;
        }
        report.Invalid.Add(TypeError(path, expected, JsonTypeName(node)));
        return false;
    }

    private static string TypeError(string path, string expected, string actual) =>
        $"{path}: Invalid value: \"{actual}\": {path} in body must be of type {expected}: \"{actual}\"";

    private static bool IsInteger(JsonNode node)
    {
        var value = (JsonValue)node;
        if (value.TryGetValue<long>(out _))
        {
            return true;
        }
        if (value.TryGetValue<JsonElement>(out var element))
        {
            return element.TryGetInt64(out _);
        }
        return value.TryGetValue<double>(out var d) && Math.Abs(d % 1) == 0 && Math.Abs(d) < 9.2e18;
    }

    private static string JsonTypeName(JsonNode node) => node.GetValueKind() switch
    {
        JsonValueKind.String => "string",
        JsonValueKind.Number => IsInteger(node) ? "integer" : "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Array => "array",
        JsonValueKind.Object => "object",
        _ => "null",
    };

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";
}

/// <summary>The problems <see cref="SchemaChecker"/> found.</summary>
public sealed class SchemaReport
{
    /// <summary>Paths of fields the schema does not declare (e.g. <c>spec.predictor.sklearn.foo</c>).</summary>
    public List<string> UnknownFields { get; } = [];

    /// <summary>Field errors in the API server's wording (e.g. <c>spec.x: Required value</c>).</summary>
    public List<string> Invalid { get; } = [];

    /// <summary>True when nothing was found.</summary>
    public bool IsClean => UnknownFields.Count == 0 && Invalid.Count == 0;
}
