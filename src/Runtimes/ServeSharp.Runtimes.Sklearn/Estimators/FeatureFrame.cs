using System.Globalization;
using ServeSharp.Abstractions;

namespace ServeSharp.Runtimes.Sklearn.Estimators;

/// <summary>
/// The data passed between pipeline steps: <see cref="Rows"/> × <see cref="Columns"/>, either a dense row-major
/// matrix of doubles (the fast, common case) or a list of columns that may hold strings (categorical inputs,
/// V2 <c>pd</c> requests). Column names are known when the request carried them.
/// </summary>
public sealed class FeatureFrame
{
    private readonly double[]? _matrix;
    private readonly FeatureColumn[]? _columns;

    private FeatureFrame(int rows, int cols, double[]? matrix, FeatureColumn[]? columns, IReadOnlyList<string>? names)
    {
        Rows = rows;
        Columns = cols;
        _matrix = matrix;
        _columns = columns;
        Names = names;
    }

    /// <summary>Number of rows (samples).</summary>
    public int Rows { get; }

    /// <summary>Number of columns (features).</summary>
    public int Columns { get; }

    /// <summary>Column names, or null when the input had none.</summary>
    public IReadOnlyList<string>? Names { get; }

    /// <summary>A frame over a row-major matrix (not copied).</summary>
    public static FeatureFrame FromMatrix(double[] values, int rows, int cols, IReadOnlyList<string>? names = null) =>
        new(rows, cols, values, null, names);

    /// <summary>A frame from columns of equal length.</summary>
    public static FeatureFrame FromColumns(IReadOnlyList<FeatureColumn> columns, IReadOnlyList<string>? names = null)
    {
        var rows = columns.Count == 0 ? 0 : columns[0].Length;
        foreach (var c in columns)
        {
            if (c.Length != rows)
            {
                throw InferenceException.InvalidInput($"all columns must have the same number of rows; got {rows} and {c.Length}");
            }
        }

        return new(rows, columns.Count, null, columns.ToArray(), names);
    }

    /// <summary>True when every column is numeric.</summary>
    public bool IsNumeric => _matrix is not null || _columns!.All(c => c.Numbers is not null);

    /// <summary>The data as a row-major matrix; strings that are not numbers are an error, as in numpy.</summary>
    public double[] ToMatrix()
    {
        if (_matrix is not null)
        {
            return _matrix;
        }

        var m = new double[Rows * Columns];
        for (var j = 0; j < Columns; j++)
        {
            var col = _columns![j];
            for (var i = 0; i < Rows; i++)
            {
                m[i * Columns + j] = col.NumberAt(i);
            }
        }

        return m;
    }

    /// <summary>One column.</summary>
    public FeatureColumn Column(int j)
    {
        if (_columns is not null)
        {
            return _columns[j];
        }

        var c = new double[Rows];
        for (var i = 0; i < Rows; i++)
        {
            c[i] = _matrix![i * Columns + j];
        }

        return FeatureColumn.Of(c);
    }

    /// <summary>The index of the column called <paramref name="name"/>, or -1.</summary>
    public int IndexOf(string name)
    {
        if (Names is null)
        {
            return -1;
        }

        for (var i = 0; i < Names.Count; i++)
        {
            if (Names[i] == name)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>A frame of the chosen columns, in that order.</summary>
    public FeatureFrame Select(IReadOnlyList<int> indices)
    {
        var cols = new FeatureColumn[indices.Count];
        for (var k = 0; k < cols.Length; k++)
        {
            cols[k] = Column(indices[k]);
        }

        var names = Names is null ? null : indices.Select(i => Names[i]).ToArray();
        return new FeatureFrame(Rows, cols.Length, null, cols, names);
    }

    /// <summary>Concatenates frames column-wise (numpy hstack).</summary>
    public static FeatureFrame HStack(IReadOnlyList<FeatureFrame> parts, int rows)
    {
        if (parts.All(p => p.IsNumeric))
        {
            var cols = parts.Sum(p => p.Columns);
            var m = new double[rows * cols];
            var offset = 0;
            foreach (var p in parts)
            {
                var pm = p.ToMatrix();
                for (var i = 0; i < rows; i++)
                {
                    Array.Copy(pm, i * p.Columns, m, i * cols + offset, p.Columns);
                }

                offset += p.Columns;
            }

            return FromMatrix(m, rows, cols);
        }

        var all = new List<FeatureColumn>();
        foreach (var p in parts)
        {
            for (var j = 0; j < p.Columns; j++)
            {
                all.Add(p.Column(j));
            }
        }

        return new FeatureFrame(rows, all.Count, null, all.ToArray(), null);
    }
}

/// <summary>One column: numbers, or text (a string column; null entries are missing values).</summary>
public sealed class FeatureColumn
{
    private FeatureColumn(double[]? numbers, string?[]? texts)
    {
        Numbers = numbers;
        Texts = texts;
    }

    /// <summary>Numeric values, or null for a text column.</summary>
    public double[]? Numbers { get; }

    /// <summary>Text values, or null for a numeric column.</summary>
    public string?[]? Texts { get; }

    /// <summary>Number of rows.</summary>
    public int Length => Numbers?.Length ?? Texts!.Length;

    /// <summary>A numeric column.</summary>
    public static FeatureColumn Of(double[] numbers) => new(numbers, null);

    /// <summary>A text column.</summary>
    public static FeatureColumn Of(string?[] texts) => new(null, texts);

    /// <summary>The value at <paramref name="i"/> as a number (text is parsed like numpy's float()).</summary>
    public double NumberAt(int i)
    {
        if (Numbers is not null)
        {
            return Numbers[i];
        }

        var t = Texts![i];
        if (t is null)
        {
            return double.NaN;
        }

        if (double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
        {
            return v;
        }

        throw InferenceException.InvalidInput($"could not convert string to float: '{t}'");
    }
}
