using System.Text;
using System.Text.Json.Nodes;
using ServeSharp.Runtimes.Trees.XGBoost;

namespace ServeSharp.Runtimes.Trees.LightGbm;

/// <summary>
/// The <c>pandas_categorical:</c> line LightGBM's Python package appends to a model it saves
/// (<c>_dump_pandas_categorical</c>: <c>"\npandas_categorical:" + json.dumps(categories) + "\n"</c>): the category list
/// of each pandas <c>category</c> column the model was trained on, <c>null</c> when it was trained on something else than
/// a DataFrame, <c>[]</c> for a DataFrame without category columns. Found as <c>_load_pandas_categorical</c> finds it:
/// the file's last line, or the line before it.
/// </summary>
internal static class PandasCategorical
{
    private const string Key = "pandas_categorical:";

    /// <summary>
    /// How many category columns the line lists; null when the line is absent or <c>null</c>.
    /// <paramref name="lines"/> is the file split at <c>'\n'</c>.
    /// </summary>
    /// <exception cref="FormatException">The line is not a JSON array or <c>null</c> (Python's <c>json.loads</c> fails on load).</exception>
    public static int? ColumnCount(string[] lines)
    {
        // Python reads the lines with readlines(): a final '\n' does not start another line.
        var count = lines.Length > 0 && lines[^1].Length == 0 ? lines.Length - 1 : lines.Length;
        if (count == 0)
        {
            return null;
        }

        var line = lines[count - 1].Trim();
        if (!line.StartsWith(Key, StringComparison.Ordinal) && count >= 2)
        {
            line = lines[count - 2].Trim();
        }

        if (!line.StartsWith(Key, StringComparison.Ordinal))
        {
            return null;
        }

        JsonNode? value;
        try
        {
            // Lenient like json.loads: numeric categories may hold Infinity/NaN.
            value = LenientJsonReader.Parse(Encoding.UTF8.GetBytes(line[Key.Length..]));
        }
        catch (FormatException e)
        {
            throw new FormatException($"the pandas_categorical line is not valid JSON: {e.Message}", e);
        }

        return value switch
        {
            null => null,
            JsonArray columns => columns.Count,
            _ => throw new FormatException("the pandas_categorical line is neither null nor a list of category lists"),
        };
    }
}
