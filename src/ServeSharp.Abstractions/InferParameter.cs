using System.Globalization;

namespace ServeSharp.Abstractions;

/// <summary>
/// One request, tensor or response parameter value: a bool, integer, double or string,
/// exactly as the Open Inference Protocol allows.
/// </summary>
public readonly record struct InferParameter
{
    private readonly long _integer;
    private readonly double _double;
    private readonly string? _string;

    private InferParameter(InferParameterKind kind, long integer = 0, double dbl = 0, string? str = null)
    {
        Kind = kind;
        _integer = integer;
        _double = dbl;
        _string = str;
    }

    /// <summary>Which value this parameter holds.</summary>
    public InferParameterKind Kind { get; }

    /// <summary>A boolean parameter.</summary>
    public static InferParameter FromBool(bool value) => new(InferParameterKind.Bool, value ? 1 : 0);

    /// <summary>A signed integer parameter.</summary>
    public static InferParameter FromInt64(long value) => new(InferParameterKind.Int64, value);

    /// <summary>An unsigned integer parameter.</summary>
    public static InferParameter FromUInt64(ulong value) => new(InferParameterKind.UInt64, unchecked((long)value));

    /// <summary>A floating-point parameter.</summary>
    public static InferParameter FromDouble(double value) => new(InferParameterKind.Double, dbl: value);

    /// <summary>A string parameter.</summary>
    public static InferParameter FromString(string value) =>
        new(InferParameterKind.String, str: value ?? throw new ArgumentNullException(nameof(value)));

    /// <summary>The boolean value; throws unless <see cref="Kind"/> is Bool.</summary>
    public bool BoolValue => Kind == InferParameterKind.Bool ? _integer != 0 : throw WrongKind(InferParameterKind.Bool);

    /// <summary>The signed integer value; throws unless <see cref="Kind"/> is Int64.</summary>
    public long Int64Value => Kind == InferParameterKind.Int64 ? _integer : throw WrongKind(InferParameterKind.Int64);

    /// <summary>The unsigned integer value; throws unless <see cref="Kind"/> is UInt64.</summary>
    public ulong UInt64Value => Kind == InferParameterKind.UInt64 ? unchecked((ulong)_integer) : throw WrongKind(InferParameterKind.UInt64);

    /// <summary>The double value; throws unless <see cref="Kind"/> is Double.</summary>
    public double DoubleValue => Kind == InferParameterKind.Double ? _double : throw WrongKind(InferParameterKind.Double);

    /// <summary>The string value; throws unless <see cref="Kind"/> is String.</summary>
    public string StringValue => Kind == InferParameterKind.String ? _string! : throw WrongKind(InferParameterKind.String);

    /// <summary>
    /// Reads the value as an integer if it is one (Int64, UInt64 that fits, or a Double with no fraction).
    /// </summary>
    public bool TryGetInt64(out long value)
    {
        switch (Kind)
        {
            case InferParameterKind.Int64:
                value = _integer;
                return true;
            case InferParameterKind.UInt64 when _integer >= 0:
                value = _integer;
                return true;
            case InferParameterKind.Double when Math.Floor(_double) == _double && Math.Abs(_double) < 9.2e18:
                value = (long)_double;
                return true;
            default:
                value = 0;
                return false;
        }
    }

    /// <summary>Reads the value as a boolean: a Bool, or the strings "true"/"false" (any case).</summary>
    public bool TryGetBool(out bool value)
    {
        switch (Kind)
        {
            case InferParameterKind.Bool:
                value = _integer != 0;
                return true;
            case InferParameterKind.String when bool.TryParse(_string, out var parsed):
                value = parsed;
                return true;
            default:
                value = false;
                return false;
        }
    }

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        InferParameterKind.Bool => _integer != 0 ? "true" : "false",
        InferParameterKind.Int64 => _integer.ToString(CultureInfo.InvariantCulture),
        InferParameterKind.UInt64 => unchecked((ulong)_integer).ToString(CultureInfo.InvariantCulture),
        InferParameterKind.Double => _double.ToString("R", CultureInfo.InvariantCulture),
        _ => _string ?? string.Empty,
    };

    private InvalidOperationException WrongKind(InferParameterKind wanted) =>
        new($"Parameter holds a {Kind} value, not {wanted}.");
}
