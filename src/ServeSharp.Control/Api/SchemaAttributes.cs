namespace ServeSharp.Control.Api;

/// <summary>The field is required by the CRD's OpenAPI schema ("Required value").</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class SchemaRequiredAttribute : Attribute;

/// <summary>The field is a string enum in the CRD's OpenAPI schema ("Unsupported value").</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class SchemaEnumAttribute(params string[] values) : Attribute
{
    /// <summary>Allowed values, in the CRD's order.</summary>
    public IReadOnlyList<string> Values { get; } = values;
}

/// <summary>Inclusive numeric bounds from the CRD's OpenAPI schema.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class SchemaRangeAttribute(long minimum, long maximum = long.MaxValue) : Attribute
{
    /// <summary>Minimum.</summary>
    public long Minimum { get; } = minimum;
    /// <summary>Maximum.</summary>
    public long Maximum { get; } = maximum;
}

/// <summary>String pattern from the CRD's OpenAPI schema.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class SchemaPatternAttribute(string pattern) : Attribute
{
    /// <summary>The regular expression (Go RE2 syntax compatible subset).</summary>
    public string Pattern { get; } = pattern;
}

/// <summary>The string is a Go duration (<c>time.ParseDuration</c>), e.g. "5s", "1m30s".</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class SchemaDurationAttribute : Attribute;
