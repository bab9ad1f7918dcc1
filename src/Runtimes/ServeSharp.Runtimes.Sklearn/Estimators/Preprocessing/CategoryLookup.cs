using System.Globalization;
using ServeSharp.Runtimes.Sklearn.Numpy;

namespace ServeSharp.Runtimes.Sklearn.Estimators.Preprocessing;

/// <summary>One feature's <c>categories_[i]</c>: finds the position of a value (numbers or strings, NaN included).</summary>
internal sealed class CategoryLookup
{
    private readonly Dictionary<double, int>? _numbers;
    private readonly Dictionary<string, int>? _texts;
    private readonly int _nanIndex = -1;

    public CategoryLookup(NdArray categories)
    {
        Count = (int)categories.Count;
        if (categories.DType.Kind is 'O' or 'U')
        {
            _texts = new Dictionary<string, int>(StringComparer.Ordinal);
            var items = categories.ToObjects();
            for (var i = 0; i < items.Length; i++)
            {
                switch (items[i])
                {
                    case string s:
                        _texts[s] = i;
                        break;
                    case null:
                    case double d when double.IsNaN(d):
                        _nanIndex = i;
                        break;
                    default:
                        _texts[Convert.ToString(items[i], CultureInfo.InvariantCulture)!] = i;
                        break;
                }
            }
        }
        else
        {
            _numbers = [];
            var values = categories.ToDoubles();
            for (var i = 0; i < values.Length; i++)
            {
                if (double.IsNaN(values[i]))
                {
                    _nanIndex = i;
                }
                else
                {
                    _numbers[values[i]] = i;
                }
            }
        }
    }

    public int Count { get; }

    /// <summary>Position of row <paramref name="row"/> of <paramref name="column"/>, or -1 when unknown.</summary>
    public int Find(FeatureColumn column, int row)
    {
        if (_numbers is not null)
        {
            var v = column.NumberAt(row);
            return double.IsNaN(v) ? _nanIndex : _numbers.GetValueOrDefault(v, -1);
        }

        var t = column.Texts is not null ? column.Texts[row] : Format(column.Numbers![row]);
        return t is null ? _nanIndex : _texts!.GetValueOrDefault(t, -1);
    }

    /// <summary>The value as it would print in scikit-learn's unknown-category error.</summary>
    public static string Describe(FeatureColumn column, int row) =>
        column.Texts is not null ? $"'{column.Texts[row]}'" : Format(column.Numbers![row]) ?? "nan";

    private static string? Format(double v) => double.IsNaN(v) ? null : v.ToString("R", CultureInfo.InvariantCulture);
}
